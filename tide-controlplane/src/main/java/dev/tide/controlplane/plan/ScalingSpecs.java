package dev.tide.controlplane.plan;

import static dev.tide.api.autoscaling.AutoscalingAnnotations.lookup;

import dev.tide.api.autoscaling.AutoscalingAnnotations;
import dev.tide.api.config.AutoscalerConfig;
import dev.tide.api.config.ClusterConfig;
import dev.tide.api.resources.ResourceRequests;
import dev.tide.autoscaler.AutoscalerSpec;
import dev.tide.autoscaler.DeciderSpec;
import dev.tide.autoscaler.HpaDecider;
import dev.tide.autoscaler.Metric;
import dev.tide.autoscaler.ScalePolicy;
import dev.tide.common.validation.FieldErrors;
import dev.tide.common.validation.Values;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves a revision's {@link AutoscalerSpec} exactly as Knative resolves its decider spec (section 1.4 of the
 * autoscaler notes). Pure: annotations and settings in, spec out. An annotation that does not parse is taken as
 * absent (admission refuses such objects, so this only matters for objects stored before a rule tightened).
 */
public final class ScalingSpecs {

    /** Knative's utilization for the rps metric; only the annotation changes it. */
    static final double RPS_UTILIZATION = 0.7;

    private ScalingSpecs() {
    }

    /**
     * @param annotations          the revision's (template's) annotations
     * @param containerConcurrency the hard limit, 0 for none
     * @param requests             what the serving container requests, for the HPA class's utilization
     * @param reachable            whether a route sends traffic to the revision
     */
    public static AutoscalerSpec resolve(Map<String, String> annotations, long containerConcurrency, ResourceRequests requests,
                                         ClusterConfig cluster, boolean reachable) {
        AutoscalerConfig c = cluster.autoscaler();
        String cls = Optional.ofNullable(annotations.get(AutoscalingAnnotations.CLASS)).orElse(c.podAutoscalerClass());
        boolean hpa = cls.equals(AutoscalerConfig.HPA_CLASS);
        String metricName = Optional.ofNullable(annotations.get(AutoscalingAnnotations.METRIC))
                .orElse(hpa ? AutoscalingAnnotations.METRIC_CPU : AutoscalingAnnotations.METRIC_CONCURRENCY);
        Metric metric = metricName.equals(AutoscalingAnnotations.METRIC_RPS) ? Metric.RPS : Metric.CONCURRENCY;

        // Total and utilization: worked example, containerConcurrency 10, target annotation 20, utilization 70%:
        // the target is capped at the hard limit, total = min(20, 10) = 10, target = 10 x 0.7 = 7.
        double total;
        double utilization;
        if (hpa) {
            total = decimal(annotations, AutoscalingAnnotations.TARGET).orElse(HpaDecider.DEFAULT_TARGET_PERCENT);
            utilization = 1;
        } else {
            if (metric == Metric.RPS) {
                total = c.requestsPerSecondTargetDefault();
                utilization = RPS_UTILIZATION;
            } else {
                total = containerConcurrency > 0 ? containerConcurrency : c.containerConcurrencyTargetDefault();
                utilization = c.containerConcurrencyTargetFraction();
            }
            Optional<Double> target = decimal(annotations, AutoscalingAnnotations.TARGET);
            if (target.isPresent()) {
                total = metric == Metric.CONCURRENCY && containerConcurrency > 0
                        ? Math.min(target.get(), containerConcurrency) : target.get();
            }
            Optional<Double> u = decimal(annotations, AutoscalingAnnotations.TARGET_UTILIZATION);
            if (u.isPresent()) {
                utilization = u.get() / 100;
            }
        }
        Duration stable = duration(annotations, AutoscalingAnnotations.WINDOW).orElse(c.stableWindow());
        double panicPercent = decimal(annotations, AutoscalingAnnotations.PANIC_WINDOW_PERCENTAGE).orElse(c.panicWindowPercentage());
        int initial = integer(annotations, AutoscalingAnnotations.INITIAL_SCALE)
                .filter(v -> v > 0 || c.allowZeroInitialScale()).orElse(c.initialScale());
        DeciderSpec decider = new DeciderSpec(metric, DeciderSpec.target(total, utilization), total,
                decimal(annotations, AutoscalingAnnotations.TARGET_BURST_CAPACITY).orElse(c.targetBurstCapacity()),
                decimal(annotations, AutoscalingAnnotations.PANIC_THRESHOLD_PERCENTAGE).orElse(c.panicThresholdPercentage()) / 100,
                c.maxScaleUpRate(), c.maxScaleDownRate(), stable, DeciderSpec.panicWindow(stable, panicPercent),
                duration(annotations, AutoscalingAnnotations.SCALE_DOWN_DELAY).orElse(c.scaleDownDelay()),
                integer(annotations, AutoscalingAnnotations.ACTIVATION_SCALE).orElse(0), initial, reachable);
        Duration progressDeadline = duration(annotations, AutoscalingAnnotations.PROGRESS_DEADLINE)
                .orElse(cluster.deployment().progressDeadline());
        ScalePolicy policy = new ScalePolicy(
                integer(annotations, AutoscalingAnnotations.MIN_SCALE).orElse(c.minScale()),
                integer(annotations, AutoscalingAnnotations.MAX_SCALE).orElse(c.maxScale()),
                initial, c.enableScaleToZero(), stable, c.scaleToZeroGracePeriod(),
                duration(annotations, AutoscalingAnnotations.SCALE_TO_ZERO_POD_RETENTION).orElse(c.scaleToZeroPodRetentionPeriod()),
                progressDeadline.plus(ScalePolicy.ACTIVATION_TIMEOUT_BUFFER));
        String aggregation = lookup(annotations, AutoscalingAnnotations.METRIC_AGGREGATION).map(Map.Entry::getValue).orElse("linear");
        AutoscalerSpec.Predictive predictive = null;
        if (parseBool(annotations.get(AutoscalingAnnotations.PREDICTIVE))) {
            predictive = new AutoscalerSpec.Predictive(
                    Optional.ofNullable(annotations.get(AutoscalingAnnotations.PREDICTIVE_DAYS)).flatMap(ScalingSpecs::parseInt)
                            .orElse(AutoscalingAnnotations.PREDICTIVE_DAYS_DEFAULT),
                    Optional.ofNullable(annotations.get(AutoscalingAnnotations.PREDICTIVE_LEAD)).flatMap(ScalingSpecs::parseDuration)
                            .orElse(AutoscalingAnnotations.PREDICTIVE_LEAD_DEFAULT));
        }
        AutoscalerSpec.Hpa hpaSpec = null;
        if (hpa) {
            boolean memory = metricName.equals(AutoscalingAnnotations.METRIC_MEMORY);
            hpaSpec = new AutoscalerSpec.Hpa(memory ? AutoscalerSpec.Resource.MEMORY : AutoscalerSpec.Resource.CPU, total,
                    memory ? requests.memoryBytes() : requests.cpuCores(), AutoscalerSpec.Hpa.SYNC_PERIOD, HpaDecider.DOWNSCALE_STABILIZATION);
        }
        return new AutoscalerSpec(cls, metricName, decider, policy, aggregation.isEmpty() ? "linear" : aggregation, predictive, hpaSpec);
    }

    // Tolerant reads: a value that does not parse counts as absent, so its errors are dropped.

    private static Optional<Double> decimal(Map<String, String> a, String key) {
        return lookup(a, key).flatMap(e -> Values.decimal(e.getValue(), key, new FieldErrors()));
    }

    private static Optional<Integer> integer(Map<String, String> a, String key) {
        return lookup(a, key).flatMap(e -> parseInt(e.getValue()));
    }

    private static Optional<Duration> duration(Map<String, String> a, String key) {
        return lookup(a, key).flatMap(e -> parseDuration(e.getValue()));
    }

    private static Optional<Integer> parseInt(String v) {
        return Values.int32(v, "", new FieldErrors());
    }

    private static Optional<Duration> parseDuration(String v) {
        return Values.duration(v, "", new FieldErrors());
    }

    private static boolean parseBool(String v) {
        return v != null && Values.bool(v, "", new FieldErrors()).orElse(false);
    }
}
