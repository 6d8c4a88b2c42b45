package dev.tide.common.time;

/**
 * Runs tasks later, on the caller's notion of time. Logic that needs timeouts takes a {@code Scheduler}; the
 * launcher passes one backed by an event loop or a scheduled executor, tests pass a manual one that runs due tasks
 * only when time is advanced by hand.
 */
public interface Scheduler {

    /** The clock the delays are measured on. */
    Ticker ticker();

    /** Runs {@code task} after {@code delayNanos}; the returned handle cancels it if it has not run yet. */
    Cancellable schedule(Runnable task, long delayNanos);

    /** A scheduled task that may still be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        /** Returns whether the task was cancelled before it ran. */
        boolean cancel();
    }
}
