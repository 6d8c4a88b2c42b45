package dev.tide.dataplane;

/**
 * Why the data plane refused or failed a request, each with the HTTP status and body the client gets. Mapped to a
 * response once, at the edge. Overload rejections are stackless singletons: they are frequent under load and
 * their stack trace would say nothing.
 */
public abstract sealed class ServingException extends RuntimeException
        permits ServingException.QueueFull, ServingException.Timeout {

    private static final long serialVersionUID = 1L;

    private final int status;

    ServingException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** The HTTP status the client receives. */
    public int status() {
        return status;
    }

    /** More requests than a replica runs and queues: 503, as queue-proxy answers. */
    public static final QueueFull QUEUE_FULL = new QueueFull();
    /** The request's time ran out while it waited for a replica: 504. */
    public static final Timeout REQUEST_TIMEOUT = new Timeout("request timeout");

    /** Admission refused: every slot busy and the queue full. */
    public static final class QueueFull extends ServingException {
        private static final long serialVersionUID = 1L;

        private QueueFull() {
            super(503, "pending request queue full");
        }
    }

    /** A deadline passed while waiting. */
    public static final class Timeout extends ServingException {
        private static final long serialVersionUID = 1L;

        private Timeout(String message) {
            super(504, message);
        }
    }
}
