package dev.tide.store;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** A stream of changes. Closing it stops delivery; a watch that falls too far behind is closed by the store. */
public interface Watch extends AutoCloseable {

    /**
     * The next event, waiting up to {@code timeout}; {@code null} when none arrived in time or the watch is closed.
     */
    WatchEvent poll(Duration timeout) throws InterruptedException;

    boolean isClosed();

    /**
     * Hands each event to {@code handler} on the calling thread until the watch closes or {@code stop} says so (asked
     * at least every half second). An interrupt ends it too, leaving the thread's interrupt flag set.
     */
    default void forEach(BooleanSupplier stop, Consumer<WatchEvent> handler) {
        try {
            while (!stop.getAsBoolean() && !isClosed()) {
                WatchEvent e = poll(Duration.ofMillis(500));
                if (e != null) {
                    handler.accept(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    void close();
}
