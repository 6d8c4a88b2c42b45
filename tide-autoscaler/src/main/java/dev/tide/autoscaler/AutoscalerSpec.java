package dev.tide.autoscaler;

import java.time.Duration;

/**
 * Everything one revision's autoscaler needs, resolved once from its annotations, its {@code containerConcurrency},
 * its container's resource requests and the cluster settings: which class decides, with what parameters, and how
 * the decision is applied.
 *
 * @param autoscalerClass the class annotation or the cluster default
 * @param metricName      {@code concurrency}, {@code rps}, or for the HPA class {@code cpu} or {@code memory}
 * @param decider         the KPA decider's parameters (for the HPA class only its windows and initial scale matter)
 * @param aggregation     {@code linear} or {@code weighted-exponential}
 * @param predictive      the predictive option, or {@code null} when off
 * @param hpa             the HPA class's parameters, or {@code null} for the request-driven classes
 */
public record AutoscalerSpec(String autoscalerClass, String metricName, DeciderSpec decider, ScalePolicy policy,
                             String aggregation, Predictive predictive, Hpa hpa) {

    /** Tide's predictive option: learn from {@code days} of history, look {@code lead} ahead. */
    public record Predictive(int days, Duration lead) {
    }

    /** The resource an HPA-class revision scales on. */
    public enum Resource { CPU, MEMORY }

    /**
     * Kubernetes HPA semantics over the replicas' usage.
     *
     * @param targetPercent utilization of the request to keep, in percent
     * @param request       what each replica requests of the resource (cores, or bytes); 0 when the container asks
     *                      for none, so there is nothing to take a percentage of and the revision does not scale
     * @param syncPeriod    how often the HPA decides (Kubernetes: 15 s)
     * @param downscaleStabilization a decrease takes the highest recommendation of this window (Kubernetes: 5 min)
     */
    public record Hpa(Resource resource, double targetPercent, double request, Duration syncPeriod,
                      Duration downscaleStabilization) {
        public static final Duration SYNC_PERIOD = Duration.ofSeconds(15);
    }

    /** This spec for a revision that a route does (or no longer does) send traffic to. */
    public AutoscalerSpec withReachable(boolean routed) {
        return new AutoscalerSpec(autoscalerClass, metricName, decider.withReachable(routed), policy, aggregation, predictive, hpa);
    }
}
