package dev.tide.autoscaler.window;

import java.time.Duration;

/**
 * A ring of one-second buckets holding the samples of a sliding window, the storage under both averaging
 * algorithms. Samples landing in the same second are summed (the scraper's total plus each activator's report).
 *
 * <p>Time is absolute: seconds since the Unix epoch, passed in by the caller, because Knative aligns buckets on
 * wall-clock seconds and decisions near a boundary depend on that alignment.
 *
 * <p>Not thread-safe: a revision's windows are owned by the one thread that records into and reads them.
 */
abstract sealed class BucketedWindow implements MetricWindow permits LinearWindow, WeightedExponentialWindow {

    protected double[] buckets;
    /** Sum of all buckets, kept in step with them so the linear average costs O(buckets skipped), not O(window). */
    protected double total;
    /** Seconds of the first and last write since the window was last empty; meaningless while {@link #empty}. */
    protected long firstWrite;
    protected long lastWrite;
    protected boolean empty = true;

    BucketedWindow(Duration window) {
        this.buckets = new double[buckets(window)];
    }

    static int buckets(Duration window) {
        long n = (window.toNanos() + 999_999_999L) / 1_000_000_000L;
        if (n < 1 || n > 24 * 3600) {
            throw new IllegalArgumentException("window: " + window + " (expected: 1s..24h)");
        }
        return (int) n;
    }

    protected final int size() {
        return buckets.length;
    }

    protected final int index(long second) {
        return (int) Math.floorMod(second, (long) buckets.length);
    }

    @Override
    public final void record(long epochSecond, double value) {
        int n = buckets.length;
        if (empty) {
            empty = false;
            firstWrite = epochSecond;
            lastWrite = epochSecond;
        } else if (epochSecond == lastWrite) {
            // Same second: fall through to the add.
        } else if (epochSecond <= lastWrite - n) {
            return; // older than the window: dropped
        } else {
            firstWrite = Math.min(firstWrite, epochSecond);
            if (epochSecond > lastWrite) {
                if (epochSecond - lastWrite >= n) {
                    // A gap of a whole window: nothing in the ring is still inside it.
                    java.util.Arrays.fill(buckets, 0);
                    total = 0;
                    firstWrite = epochSecond;
                } else {
                    for (long s = lastWrite + 1; s <= epochSecond; s++) {
                        int i = index(s);
                        total -= buckets[i];
                        buckets[i] = 0;
                    }
                }
                lastWrite = epochSecond;
            }
        }
        buckets[index(epochSecond)] += value;
        total += value;
    }

    @Override
    public final boolean isEmpty(long epochSecond) {
        return empty || epochSecond - lastWrite >= buckets.length;
    }

    /**
     * Changes the window length, keeping the newest data that fits, as Knative does when a revision's window
     * annotation or the stable window changes.
     */
    @Override
    public final void resize(Duration window) {
        int n = buckets(window);
        if (n == buckets.length) {
            return;
        }
        double[] next = new double[n];
        double nextTotal = 0;
        if (!empty) {
            long oldest = Math.max(lastWrite - Math.min(n, buckets.length) + 1, firstWrite);
            for (long s = oldest; s <= lastWrite; s++) {
                double v = buckets[index(s)];
                next[(int) Math.floorMod(s, (long) n)] = v;
                nextTotal += v;
            }
            firstWrite = oldest;
        }
        buckets = next;
        total = nextTotal;
        onResize();
    }

    /** Hook for algorithms with state derived from the window length. */
    protected void onResize() {
    }
}
