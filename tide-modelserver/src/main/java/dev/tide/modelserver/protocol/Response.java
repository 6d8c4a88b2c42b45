package dev.tide.modelserver.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A protocol answer: an HTTP status, a body and its content type (JSON unless said otherwise).
 *
 * @param jsonLength for an answer in the binary tensor data extension, the length of the JSON that starts the body
 *                   (the {@code Inference-Header-Content-Length} header); -1 for any other answer
 */
public record Response(int status, byte[] body, String contentType, int jsonLength) {

    public static final String JSON = "application/json";
    public static final String BINARY = "application/octet-stream";

    public Response(int status, byte[] body, String contentType) {
        this(status, body, contentType, -1);
    }

    public Response(int status, byte[] body) {
        this(status, body, JSON);
    }

    public static Response json(int status, String body) {
        return new Response(status, body.getBytes(StandardCharsets.UTF_8));
    }
}
