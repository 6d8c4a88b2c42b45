package dev.tide.controlplane.scaling;

import dev.tide.autoscaler.DeciderSpec;
import dev.tide.autoscaler.Metric;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One revision's autoscaler state under Knative autoscaler's metric names and labels ({@code autoscaler_desired_pods},
 * {@code autoscaler_actual_pods}, {@code autoscaler_panic_mode}, {@code autoscaler_stable_request_concurrency}, ...),
 * so Knative's scaling dashboards read Tide; and the predictive option's forecast beside the load it forecasts
 * ({@code tide_autoscaler_forecast_load}, {@code tide_autoscaler_observed_load}), for its forecast-vs-actual chart.
 * Written by the scheduler thread after each decision, read by scrapes.
 */
final class AutoscalerMetrics implements AutoCloseable {

    volatile double desiredPods;
    volatile double requestedPods;
    volatile double actualPods;
    volatile double readyPods;
    volatile double stable;
    volatile double panic;
    volatile double panicMode;
    volatile double excessBurstCapacity;
    volatile double target;
    volatile boolean rps;
    volatile double forecast = Double.NaN;

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    AutoscalerMetrics(MeterRegistry registry, String namespace, String service, String configuration, String revision) {
        this.registry = registry;
        Tags tags = Tags.of("namespace_name", namespace, "service_name", service, "configuration_name", configuration,
                "revision_name", revision);
        gauge("autoscaler_desired_pods", "Number of pods autoscaler wants to allocate", tags, m -> m.desiredPods);
        gauge("autoscaler_requested_pods", "Number of pods autoscaler requested from Kubernetes", tags, m -> m.requestedPods);
        gauge("autoscaler_actual_pods", "Number of pods that are allocated currently", tags, m -> m.actualPods);
        gauge("autoscaler_ready_pods", "Number of pods that are ready currently", tags, m -> m.readyPods);
        gauge("autoscaler_not_ready_pods", "Number of pods that are not ready currently", tags, m -> m.actualPods - m.readyPods);
        gauge("autoscaler_panic_mode", "1 if autoscaler is in panic mode, 0 otherwise", tags, m -> m.panicMode);
        gauge("autoscaler_excess_burst_capacity", "Excess burst capacity observed over the stable window", tags,
                m -> m.excessBurstCapacity);
        gauge("autoscaler_stable_request_concurrency", "Average of requests count per observed pod over the stable window", tags,
                m -> m.rps ? Double.NaN : m.stable);
        gauge("autoscaler_panic_request_concurrency", "Average of requests count per observed pod over the panic window", tags,
                m -> m.rps ? Double.NaN : m.panic);
        gauge("autoscaler_target_concurrency_per_pod", "The desired number of concurrent requests for each pod", tags,
                m -> m.rps ? Double.NaN : m.target);
        gauge("autoscaler_stable_requests_per_second", "Average requests-per-second per observed pod over the stable window", tags,
                m -> m.rps ? m.stable : Double.NaN);
        gauge("autoscaler_panic_requests_per_second", "Average requests-per-second per observed pod over the panic window", tags,
                m -> m.rps ? m.panic : Double.NaN);
        gauge("autoscaler_target_requests_per_second", "The desired requests-per-second for each pod", tags,
                m -> m.rps ? m.target : Double.NaN);
        gauge("tide_autoscaler_observed_load", "The revision's load over the stable window, in its scaling metric's unit", tags,
                m -> m.stable);
        gauge("tide_autoscaler_forecast_load", "The predictive option's expected load its lead ahead, in the scaling metric's unit;"
                + " NaN without the option", tags, m -> m.forecast);
    }

    private void gauge(String name, String help, Tags tags, ToDoubleFunction<AutoscalerMetrics> value) {
        meters.add(Gauge.builder(name, this, value).description(help).tags(tags).strongReference(true).register(registry));
    }

    /** The spec's target, for the target gauges. */
    void spec(DeciderSpec spec) {
        rps = spec.metric() == Metric.RPS;
        target = spec.targetValue();
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
