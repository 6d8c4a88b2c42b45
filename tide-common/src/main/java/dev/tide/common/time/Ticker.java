package dev.tide.common.time;

/**
 * A monotonic clock in nanoseconds, for measuring elapsed time. Its values only have meaning relative to
 * each other. Logic takes a {@code Ticker} (or a {@code java.time.InstantSource} for timestamps written
 * into status) as a parameter so tests can drive time by hand.
 */
@FunctionalInterface
public interface Ticker {

    /** Returns the current reading in nanoseconds. */
    long nanos();

    /** The JVM's monotonic clock. Only launchers should call this; everything else receives a ticker. */
    static Ticker system() {
        return System::nanoTime;
    }
}
