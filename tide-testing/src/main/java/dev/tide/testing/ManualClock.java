package dev.tide.testing;

import dev.tide.common.time.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * A clock that moves only when told to: a wall-clock {@link InstantSource} and a monotonic {@link Ticker} that
 * advance together. Starts at a fixed instant, never at "now", so tests are reproducible.
 *
 * <p>Threading: reads and {@link #advance} may come from different threads; the fields are volatile and only the
 * test thread advances.
 */
public final class ManualClock implements InstantSource, Ticker {

    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private volatile Instant now;
    private volatile long nanos;

    public ManualClock() {
        this(START);
    }

    public ManualClock(Instant start) {
        this.now = start;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public long nanos() {
        return nanos;
    }

    /** Moves both clocks forward by {@code d}. */
    public void advance(Duration d) {
        now = now.plus(d);
        nanos += d.toNanos();
    }
}
