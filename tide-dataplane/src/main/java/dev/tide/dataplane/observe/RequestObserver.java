package dev.tide.dataplane.observe;

/**
 * Told of every request a revision answered, on the connection's event loop: it must not block, and should not
 * allocate much (it runs once per request).
 */
@FunctionalInterface
public interface RequestObserver {

    RequestObserver NONE = r -> { };

    void completed(CompletedRequest request);

    /** Both, in order. */
    default RequestObserver andThen(RequestObserver next) {
        return r -> {
            completed(r);
            next.completed(r);
        };
    }
}
