package dev.tide.autoscaler;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Kubernetes' HorizontalPodAutoscaler algorithm, for the HPA class ({@code autoscaling.knative.dev/class:
 * hpa.autoscaling.knative.dev}, KServe's {@code scaleMetric: cpu|memory}) over per-replica utilization.
 *
 * <p>{@code desired = ceil(current x actual / target)}, unchanged while {@code actual / target} is within the
 * tolerance (10%) of 1; scale-down is stabilized: the result is the highest recommendation of the last window
 * (5 minutes by default), so a brief dip does not remove replicas. Worked example: 4 replicas at 90% CPU against a
 * target of 60% give ceil(4 x 90 / 60) = 6; at 63% the ratio 1.05 is within tolerance, so 4 stay.
 *
 * <p>Not thread-safe: one revision's decider is driven by one thread. Times are nanoseconds from any fixed origin.
 */
public final class HpaDecider {

    public static final double TOLERANCE = 0.1;
    public static final Duration DOWNSCALE_STABILIZATION = Duration.ofMinutes(5);
    /** Knative's default target when the HPA class has no {@code target} annotation: 80% utilization. */
    public static final double DEFAULT_TARGET_PERCENT = 80;

    private record Recommendation(long atNanos, int replicas) {
    }

    private final double targetPercent;
    private final long stabilizationNanos;
    /** Recommendations of the stabilization window, oldest first. */
    private final ArrayDeque<Recommendation> recent = new ArrayDeque<>();

    public HpaDecider(double targetPercent, Duration downscaleStabilization) {
        if (targetPercent <= 0) {
            throw new IllegalArgumentException("target: " + targetPercent + " (expected: > 0)");
        }
        this.targetPercent = targetPercent;
        this.stabilizationNanos = downscaleStabilization.toNanos();
    }

    /**
     * @param currentReplicas    replicas running now; with none, there is nothing to measure and 0 stays 0
     * @param averageUtilization mean utilization of those replicas, in percent of their request
     */
    public int decide(int currentReplicas, double averageUtilization, long nowNanos) {
        int recommendation;
        if (currentReplicas == 0) {
            recommendation = 0;
        } else {
            double ratio = averageUtilization / targetPercent;
            recommendation = Math.abs(ratio - 1) <= TOLERANCE ? currentReplicas : (int) Math.ceil(currentReplicas * ratio);
        }
        recent.addLast(new Recommendation(nowNanos, recommendation));
        while (!recent.isEmpty() && recent.peekFirst().atNanos() <= nowNanos - stabilizationNanos) {
            recent.removeFirst();
        }
        int highest = 0;
        for (Recommendation r : recent) {
            highest = Math.max(highest, r.replicas());
        }
        // Scale-up is immediate; scale-down only to the highest recent recommendation.
        return recommendation >= currentReplicas ? recommendation : Math.min(currentReplicas, highest);
    }
}
