package dev.tide.store;

/** Why a store operation was refused. Each subtype maps onto one Kubernetes status (404, 409, 410). */
public abstract sealed class StoreException extends RuntimeException
        permits StoreException.NotFound, StoreException.AlreadyExists, StoreException.Conflict, StoreException.Gone {

    private static final long serialVersionUID = 1L;

    StoreException(String message) {
        super(message, null, false, false);
    }

    /** The object does not exist. */
    public static final class NotFound extends StoreException {
        private static final long serialVersionUID = 1L;

        public NotFound(ObjectKey key) {
            super("not found: " + key);
        }
    }

    /** A create found an object of that name. */
    public static final class AlreadyExists extends StoreException {
        private static final long serialVersionUID = 1L;

        public AlreadyExists(ObjectKey key) {
            super("already exists: " + key);
        }
    }

    /** An update's expected resourceVersion is not the stored one. */
    public static final class Conflict extends StoreException {
        private static final long serialVersionUID = 1L;

        public Conflict(ObjectKey key, String expected, String actual) {
            super("conflict on " + key + ": expected resourceVersion " + expected + ", stored " + actual);
        }
    }

    /** A watch asked to resume from a resourceVersion older than the history kept. */
    public static final class Gone extends StoreException {
        private static final long serialVersionUID = 1L;

        public Gone(long requested, long oldest) {
            super("too old resource version: " + requested + " (" + oldest + ")");
        }
    }
}
