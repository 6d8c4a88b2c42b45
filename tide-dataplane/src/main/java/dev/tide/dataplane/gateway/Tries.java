package dev.tide.dataplane.gateway;

/**
 * When a request that failed on its way to a replica is tried again on another, as nginx's default
 * {@code proxy_next_upstream error} does: only while the replica cannot have acted on it, or when acting twice is
 * harmless. Pure: the failure and what was sent in, the decision out.
 *
 * <p>Worked example: a replica crashes. A {@code POST /v2/models/m/infer} routed to it finds the port refusing
 * connections ({@link Failure#NOT_CONNECTED}) and is tried on another replica; one whose body had already gone out
 * when the connection dropped ({@link Failure#LOST}) gets 502, because the replica may have run it; a {@code GET}
 * without a body is tried again either way.
 */
final class Tries {

    /** Tries per request, the first included; each on a fresh connection, to a replica not tried yet if one is free. */
    static final int MAX = 3;

    /** How a try failed. */
    enum Failure {
        /** No connection: refused, timed out, or the replica went away before one opened. Nothing was sent. */
        NOT_CONNECTED,
        /** The connection refused the request's head (it was closed): the replica took no byte of this request. */
        NOT_SENT,
        /** The connection closed after the request went out, or part of it, before any byte of a response. */
        LOST
    }

    private Tries() {
    }

    /**
     * @param tries        tries made so far, the failed one included
     * @param bodyLost     some of the request's body was given to a failed try and is not kept to send again
     *                     (Tide keeps only small bodies, {@link BodyReplay})
     * @param method       the request's method
     */
    static boolean mayRetry(Failure failure, int tries, boolean bodyLost, String method) {
        if (tries >= MAX || bodyLost) {
            return false; // a body given to a failed try and not kept is gone, whether or not the replica saw it
        }
        return switch (failure) {
            case NOT_CONNECTED, NOT_SENT -> true;
            case LOST -> idempotent(method);
        };
    }

    /** RFC 9110 section 9.2.2: a method whose effect is the same if it is applied once or many times. */
    static boolean idempotent(String method) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
            default -> false;
        };
    }
}
