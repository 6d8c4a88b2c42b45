package dev.tide.store;

import java.time.Duration;

/** A stream of changes. Closing it stops delivery; a watch that falls too far behind is closed by the store. */
public interface Watch extends AutoCloseable {

    /**
     * The next event, waiting up to {@code timeout}; {@code null} when none arrived in time or the watch is closed.
     */
    WatchEvent poll(Duration timeout) throws InterruptedException;

    boolean isClosed();

    @Override
    void close();
}
