package dev.tide.modelserver;

/**
 * A request the model server refuses or fails to answer, with the HTTP status to answer it with: 400 for bad input
 * (the message names the input and the problem), 404 for an unknown model, 500 for a failing inference, 503 while the
 * model is not ready.
 */
public final class InferenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public InferenceException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public InferenceException(int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    public static InferenceException badRequest(String message) {
        return new InferenceException(400, message);
    }

    public int status() {
        return status;
    }
}
