package dev.tide.controlplane.scaling;

import dev.tide.autoscaler.DeciderSpec;
import dev.tide.autoscaler.ScalePolicy;
import java.time.Duration;

/**
 * Everything the autoscaler needs to know about one revision, resolved from its annotations, its
 * {@code containerConcurrency} and the cluster settings.
 *
 * @param autoscalerClass the class annotation or the cluster default
 * @param metricName      {@code concurrency}, {@code rps}, or for the HPA class {@code cpu}, {@code memory}, ...
 * @param decider         the KPA decider's parameters (for the HPA class, the target is the utilization percent)
 * @param aggregation     {@code linear} or {@code weighted-exponential}
 * @param predictive      the predictive option, or {@code null} when off
 */
public record ScalingSpec(String autoscalerClass, String metricName, DeciderSpec decider, ScalePolicy policy,
                          String aggregation, Predictive predictive) {

    /** Tide's predictive option: learn from {@code days} of history, look {@code lead} ahead. */
    public record Predictive(int days, Duration lead) {
    }

    /** Whether the request-driven autoscaler (KPA, or Tide's precise-concurrency class) scales this revision. */
    public boolean requestDriven() {
        return !autoscalerClass.equals(dev.tide.api.config.AutoscalerConfig.HPA_CLASS);
    }
}
