package dev.tide.autoscaler.window;

import java.time.Duration;

/** A sliding window of per-second metric samples and its average. Times are seconds since the Unix epoch. */
public sealed interface MetricWindow permits BucketedWindow {

    /** Adds {@code value} to the bucket of {@code epochSecond}. */
    void record(long epochSecond, double value);

    /** The window's average at {@code epochSecond}. */
    double average(long epochSecond);

    /** Whether nothing was recorded within a window of {@code epochSecond}. */
    boolean isEmpty(long epochSecond);

    void resize(Duration window);

    /** The averaging algorithm Knative's {@code metric-aggregation-algorithm} annotation selects. */
    static MetricWindow of(String algorithm, Duration window) {
        return switch (algorithm == null ? "" : algorithm) {
            case "", "linear" -> new LinearWindow(window);
            case "weighted-exponential", "weightedExponential" -> new WeightedExponentialWindow(window);
            default -> throw new IllegalArgumentException("metric-aggregation-algorithm: " + algorithm
                    + " (expected: linear, weighted-exponential)");
        };
    }
}
