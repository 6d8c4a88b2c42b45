package dev.tide.autoscaler.window;

import java.time.Duration;

/**
 * Knative's alternative average ({@code metric-aggregation-algorithm: weighted-exponential}): the newest second
 * weighs {@code m}, each older one {@code (1 - m)} times less, with {@code m = max(1 - 0.0001^(1/n), 0.2)} for
 * {@code n} buckets, so the oldest bucket of the window still carries about 0.01% of the newest one's weight.
 * Worked example: 6 buckets give {@code m = 1 - 0.0001^(1/6) = 0.78456}; 60 or more give 0.2. Empty seconds since
 * the last write count as zeros (the weight moves on without data). Like Knative, the result is not normalised by
 * the sum of the weights and not rounded.
 */
public final class WeightedExponentialWindow extends BucketedWindow {

    private double coefficient;

    public WeightedExponentialWindow(Duration window) {
        super(window);
        onResize();
    }

    /** The smoothing coefficient {@code m} for {@code n} buckets. */
    static double coefficient(int n) {
        return Math.max(1 - Math.pow(0.0001, 1.0 / n), 0.2);
    }

    @Override
    protected void onResize() {
        coefficient = coefficient(size());
    }

    double coefficient() {
        return coefficient;
    }

    @Override
    public double average(long now) {
        int n = size();
        if (empty || now - lastWrite > n) {
            return 0;
        }
        double weight = coefficient;
        // The whole ring, newest first: buckets never written hold zeros. The seconds since the last write map onto
        // the oldest buckets, which are about to be overwritten, so they are skipped.
        long count = n;
        if (now > lastWrite) {
            long zeros = now - lastWrite;
            weight *= Math.pow(1 - coefficient, zeros);
            count -= zeros;
        }
        double sum = 0;
        for (long i = 0; i < count; i++) {
            sum += buckets[index(lastWrite - i)] * weight;
            weight *= 1 - coefficient;
        }
        return sum;
    }
}
