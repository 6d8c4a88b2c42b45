package dev.tide.autoscaler.window;

import java.time.Duration;

/**
 * Knative's default average: the mean over the buckets the window has actually seen.
 *
 * <p>With {@code d = now - lastWrite} (whole seconds) and {@code n} buckets:
 * <ul>
 *   <li>{@code d <= 0}: {@code total / min(lastWrite - firstWrite + 1, n)};</li>
 *   <li>{@code 0 < d < n}: the buckets for seconds {@code lastWrite+1 .. now} hold data about to leave the window, so
 *       they are left out: {@code (total - those) / min(lastWrite - firstWrite + 1, n - d)};</li>
 *   <li>{@code d >= n}: 0.</li>
 * </ul>
 * Worked example, a 60 s window: one sample of 10 at second 0 averages 10 at second 0 (not 10/60): the window
 * starts partial. Samples of 10 at seconds 0..9 average 10 at second 12 too: once data stops the window shrinks
 * from the front rather than being padded with zeros. Samples at seconds 0 and 2 average (10 + 0 + 10) / 3 at
 * second 2: a gap inside the data counts as zeros. Results are rounded to 6 decimal places, as Knative rounds them.
 */
public final class LinearWindow extends BucketedWindow {

    public LinearWindow(Duration window) {
        super(window);
    }

    @Override
    public double average(long now) {
        if (empty) {
            return 0;
        }
        int n = size();
        long d = now - lastWrite;
        long seen = lastWrite - firstWrite + 1;
        double sum;
        long count;
        if (d <= 0) {
            sum = total;
            count = Math.min(seen, n);
        } else if (d < n) {
            sum = total;
            for (long s = lastWrite + 1; s <= now; s++) {
                sum -= buckets[index(s)];
            }
            count = Math.min(seen, n - d);
        } else {
            return 0;
        }
        return count <= 0 ? 0 : round6(sum / count);
    }

    static double round6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
