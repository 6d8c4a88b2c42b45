package dev.tide.autoscaler.window;

import java.time.Duration;

/**
 * The sliding maximum behind {@code scale-down-delay}: the published decision is the largest decision recorded in
 * the last {@code ceil(delay / 2 s)} two-second buckets, so a scale-down takes effect only once every higher
 * decision is older than the delay.
 *
 * <p>Buckets are {@code floor(epochSecond / 2)}. A value recorded in bucket {@code b} stops counting when something
 * is recorded in bucket {@code b + n} or later; values only expire on a newer record (decisions record every
 * tick). Worked example from Knative's tests, delay 5 min (150 buckets): 4 at second 2 (bucket 1), then 0 at
 * second 300 (bucket 150) still gives 4; 0 at second 302 (bucket 151) gives 0.
 *
 * <p>Implementation: a monotonic deque of (bucket, value) pairs with decreasing values, so record and read are
 * amortised O(1) and memory is bounded by the number of buckets.
 */
public final class MaxWindow {

    private final int size;
    private final long[] indexes;
    private final int[] values;
    private int head;
    private int count;

    public MaxWindow(Duration delay) {
        long n = (delay.toNanos() + 1_999_999_999L) / 2_000_000_000L;
        if (n < 1) {
            throw new IllegalArgumentException("scale-down-delay: " + delay + " (expected: > 0s)");
        }
        this.size = (int) n;
        this.indexes = new long[size + 1];
        this.values = new int[size + 1];
    }

    public int buckets() {
        return size;
    }

    public void record(long epochSecond, int value) {
        long index = Math.floorDiv(epochSecond, 2);
        if (count > 0 && indexes[slot(count - 1)] == index && values[slot(count - 1)] >= value) {
            return; // the bucket already holds a larger value: one entry per bucket keeps the deque within bounds
        }
        // Values not above the new one can never be the maximum again.
        while (count > 0 && values[slot(count - 1)] <= value) {
            count--;
        }
        int s = slot(count);
        indexes[s] = index;
        values[s] = value;
        count++;
        while (indexes[head] <= index - size) {
            head = (head + 1) % indexes.length;
            count--;
        }
    }

    /** The maximum still in the window; 0 when nothing was recorded. */
    public int current() {
        return count == 0 ? 0 : values[head];
    }

    private int slot(int i) {
        return (head + i) % indexes.length;
    }
}
