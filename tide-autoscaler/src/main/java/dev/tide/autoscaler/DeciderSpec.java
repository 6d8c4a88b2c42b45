package dev.tide.autoscaler;

import java.time.Duration;

/**
 * The per-revision parameters of the KPA decision, resolved from the revision's annotations, the cluster's
 * {@code config-autoscaler} and its {@code containerConcurrency}.
 *
 * @param targetValue         per-replica target: {@code max(0.01, totalValue x utilization)}
 * @param totalValue          per-replica capacity the target is a share of (concurrency or requests/second)
 * @param targetBurstCapacity spare capacity wanted before the activator leaves the path; 0 never, -1 always
 * @param panicThreshold      ratio (not percent): panic when the panic window asks for this many times the ready pods
 * @param maxScaleUpRate      per tick, desired is at most {@code ceil(rate x max(1, ready))}
 * @param maxScaleDownRate    per tick, desired is at least {@code floor(max(1, ready) / rate)} while reachable
 * @param scaleDownDelay      a decrease takes effect only after this long; {@link Duration#ZERO} for none
 * @param activationScale     the smallest non-zero scale (0 or 1: off)
 * @param reachable           whether a route sends traffic to the revision
 */
public record DeciderSpec(Metric metric, double targetValue, double totalValue, double targetBurstCapacity,
                          double panicThreshold, double maxScaleUpRate, double maxScaleDownRate, Duration stableWindow,
                          Duration panicWindow, Duration scaleDownDelay, int activationScale, int initialScale,
                          boolean reachable) {

    public DeciderSpec {
        if (targetValue <= 0) {
            throw new IllegalArgumentException("targetValue: " + targetValue + " (expected: > 0)");
        }
        if (maxScaleUpRate <= 1 || maxScaleDownRate <= 1) {
            throw new IllegalArgumentException("scale rates: " + maxScaleUpRate + ", " + maxScaleDownRate + " (expected: > 1)");
        }
    }

    /** This spec for a revision that a route does (or no longer does) send traffic to. */
    public DeciderSpec withReachable(boolean routed) {
        return new DeciderSpec(metric, targetValue, totalValue, targetBurstCapacity, panicThreshold, maxScaleUpRate,
                maxScaleDownRate, stableWindow, panicWindow, scaleDownDelay, activationScale, initialScale, routed);
    }

    /**
     * The panic window: the stable window times the percentage, rounded to the nearest whole second (halves away
     * from zero), at least 1 s. Worked examples: 60 s x 10% = 6 s; 60 s x 51% = 30.6 s, so 31 s; 10 s x 10% = 1 s;
     * 6 s x 1% = 0.06 s, so the 1 s floor.
     */
    public static Duration panicWindow(Duration stableWindow, double percentage) {
        double seconds = stableWindow.toNanos() / 1e9 * percentage / 100;
        long rounded = Math.round(seconds); // Math.round is half-up; windows are positive, so halves go away from zero
        return Duration.ofSeconds(Math.max(1, rounded));
    }

    /**
     * The target from a per-replica total and a utilization, floored at 0.01. Worked example: containerConcurrency
     * 10 and the default 70% give 7 in-flight requests per replica.
     */
    public static double target(double total, double utilization) {
        return Math.max(0.01, total * utilization);
    }
}
