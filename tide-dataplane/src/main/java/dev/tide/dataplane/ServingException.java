package dev.tide.dataplane;

/**
 * Why the data plane refused or failed a request, each with the HTTP status and body the client gets. Every answer
 * Tide gives for a replica is one of these, mapped to a response in one place at the edge. The frequent ones
 * (overload, timeouts) are stackless singletons: they come in bursts under load and a stack trace would say nothing.
 */
public abstract sealed class ServingException extends RuntimeException
        permits ServingException.QueueFull, ServingException.Timeout, ServingException.Malformed, ServingException.NoRoute,
        ServingException.Unavailable, ServingException.BadGateway, ServingException.NotServed {

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
    /** A client that began a request head and did not finish it within the head timeout: 408, then the close. */
    public static final Malformed HEAD_TIMEOUT = new Malformed(408, "the request head took too long to arrive");
    /** Admitted by the gate, yet every replica's slots are taken (the replica set shrank meanwhile): 503. */
    public static final Unavailable NO_FREE_SLOT = new Unavailable("no replica has a free slot");

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

    /**
     * A request Tide will not pass on as it came: a malformed head or body (400), a request line or headers over the
     * limits (414, 431), an HTTP version other than 1.0 and 1.1 (505).
     */
    public static final class Malformed extends ServingException {
        private static final long serialVersionUID = 1L;

        public Malformed(int status, String message) {
            super(requireClientError(status), message);
        }

        private static int requireClientError(int status) {
            if ((status < 400 || status > 499) && status != 505) {
                throw new IllegalArgumentException("not a refusal of a malformed request: " + status);
            }
            return status;
        }
    }

    /** No route for the request's host or model path: 404. */
    public static final class NoRoute extends ServingException {
        private static final long serialVersionUID = 1L;

        public NoRoute(String host) {
            super(404, "no route for host \"" + host + "\"");
        }
    }

    /** The request's revision cannot take it now (not served yet, or no free slot): 503. */
    public static final class Unavailable extends ServingException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(503, message);
        }
    }

    /** The replica could not be reached, or left before it answered, and the request could not go elsewhere: 502. */
    public static final class BadGateway extends ServingException {
        private static final long serialVersionUID = 1L;

        public BadGateway(String message) {
            super(502, message);
        }
    }

    /**
     * The revision cannot serve the request as it came: a gRPC call to a revision whose port speaks HTTP/1.1 (gRPC
     * needs HTTP/2 to the replica; Knative's sign for it is the port name {@code h2c}): 501.
     */
    public static final class NotServed extends ServingException {
        private static final long serialVersionUID = 1L;

        public NotServed(String message) {
            super(501, message);
        }
    }
}
