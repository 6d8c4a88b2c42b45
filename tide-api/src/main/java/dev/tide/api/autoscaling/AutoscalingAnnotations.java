package dev.tide.api.autoscaling;

import dev.tide.api.config.AutoscalerConfig;
import dev.tide.common.text.GoDuration;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import dev.tide.common.validation.Values;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The per-revision annotations under {@code autoscaling.knative.dev/} and their admission rules, as Knative's
 * webhook applies them. The kebab-case key wins; its legacy camelCase alias ({@code minScale}) is read only
 * when the kebab key is absent.
 */
public final class AutoscalingAnnotations {

    public static final String PREFIX = "autoscaling.knative.dev/";
    public static final String CLASS = PREFIX + "class";
    public static final String METRIC = PREFIX + "metric";
    public static final String TARGET = PREFIX + "target";
    public static final String TARGET_UTILIZATION = PREFIX + "target-utilization-percentage";
    public static final String WINDOW = PREFIX + "window";
    public static final String PANIC_WINDOW_PERCENTAGE = PREFIX + "panic-window-percentage";
    public static final String PANIC_THRESHOLD_PERCENTAGE = PREFIX + "panic-threshold-percentage";
    public static final String MIN_SCALE = PREFIX + "min-scale";
    public static final String MAX_SCALE = PREFIX + "max-scale";
    public static final String INITIAL_SCALE = PREFIX + "initial-scale";
    public static final String ACTIVATION_SCALE = PREFIX + "activation-scale";
    public static final String SCALE_DOWN_DELAY = PREFIX + "scale-down-delay";
    public static final String SCALE_TO_ZERO_POD_RETENTION = PREFIX + "scale-to-zero-pod-retention-period";
    public static final String TARGET_BURST_CAPACITY = PREFIX + "target-burst-capacity";
    public static final String METRIC_AGGREGATION = PREFIX + "metric-aggregation-algorithm";
    /**
     * Tide's predictive option for periodic traffic: {@code "true"} adds capacity ahead of the load seen at the
     * same time on previous days, never below what the KPA asks for.
     */
    public static final String PREDICTIVE = "autoscaling.tide.dev/predictive";
    /** Days of the revision's own history the prediction learns from: 1..28, default {@value #PREDICTIVE_DAYS_DEFAULT}. */
    public static final String PREDICTIVE_DAYS = "autoscaling.tide.dev/predictive-days";
    /** How far ahead the prediction looks (cover a replica's cold start): 0s..1h, default 2m. */
    public static final String PREDICTIVE_LEAD = "autoscaling.tide.dev/predictive-lead";
    public static final int PREDICTIVE_DAYS_DEFAULT = 7;
    public static final java.time.Duration PREDICTIVE_LEAD_DEFAULT = java.time.Duration.ofMinutes(2);

    /** Not under the autoscaling prefix, but part of the activation timeout. */
    public static final String PROGRESS_DEADLINE = "serving.knative.dev/progress-deadline";

    /** kebab key -> legacy camelCase alias. */
    private static final Map<String, String> ALIASES = Map.of(
            TARGET_UTILIZATION, PREFIX + "targetUtilizationPercentage",
            PANIC_WINDOW_PERCENTAGE, PREFIX + "panicWindowPercentage",
            PANIC_THRESHOLD_PERCENTAGE, PREFIX + "panicThresholdPercentage",
            MIN_SCALE, PREFIX + "minScale",
            MAX_SCALE, PREFIX + "maxScale",
            INITIAL_SCALE, PREFIX + "initialScale",
            SCALE_DOWN_DELAY, PREFIX + "scaleDownDelay",
            SCALE_TO_ZERO_POD_RETENTION, PREFIX + "scaleToZeroPodRetentionPeriod",
            TARGET_BURST_CAPACITY, PREFIX + "targetBurstCapacity",
            METRIC_AGGREGATION, PREFIX + "metricAggregationAlgorithm");

    public static final String METRIC_CONCURRENCY = "concurrency";
    public static final String METRIC_RPS = "rps";
    public static final String METRIC_CPU = "cpu";
    public static final String METRIC_MEMORY = "memory";

    private static final Duration MAX_DELAY = Duration.ofHours(1);

    private AutoscalingAnnotations() {
    }

    /** The annotation under {@code key} or, when absent, under its legacy alias, with the key it was found at. */
    public static Optional<Map.Entry<String, String>> lookup(Map<String, String> annotations, String key) {
        String v = annotations.get(key);
        if (v != null) {
            return Optional.of(Map.entry(key, v));
        }
        String alias = ALIASES.get(key);
        if (alias != null && annotations.get(alias) != null) {
            return Optional.of(Map.entry(alias, annotations.get(alias)));
        }
        return Optional.empty();
    }

    /**
     * Validates the autoscaling annotations in {@code annotations}, which sit at {@code path} (e.g.
     * {@code spec.template.metadata.annotations}); every failure is added to {@code errors} at
     * {@code path[key]}.
     */
    public static void validate(Map<String, String> annotations, AutoscalerConfig cluster, String path, FieldErrors errors) {
        Reader r = new Reader(annotations, path, errors);

        String classAnnotation = annotations.get(CLASS);
        if (classAnnotation != null && classAnnotation.endsWith(".knative.dev")
                && !List.of(AutoscalerConfig.KPA_CLASS, AutoscalerConfig.HPA_CLASS, AutoscalerConfig.MPA_CLASS).contains(classAnnotation)) {
            errors.add(FieldError.invalidValue(classAnnotation, r.at(CLASS), "expected one of "
                    + AutoscalerConfig.KPA_CLASS + ", " + AutoscalerConfig.HPA_CLASS + ", " + AutoscalerConfig.MPA_CLASS));
        }
        String effectiveClass = classAnnotation != null ? classAnnotation : cluster.podAutoscalerClass();
        String metric = annotations.get(METRIC);
        if (metric != null) {
            boolean requestDriven = effectiveClass.equals(AutoscalerConfig.KPA_CLASS) || effectiveClass.equals(AutoscalerConfig.MPA_CLASS);
            if (requestDriven && !metric.equals(METRIC_CONCURRENCY) && !metric.equals(METRIC_RPS)) {
                errors.add(FieldError.invalidValue(metric, r.at(METRIC),
                        "class " + effectiveClass + " scales on concurrency or rps"));
            } else if (effectiveClass.equals(AutoscalerConfig.HPA_CLASS) && !metric.equals(METRIC_CPU) && !metric.equals(METRIC_MEMORY)) {
                // Knative's HPA class also takes custom metrics through a Prometheus adapter; Tide has no adapter, so
                // it refuses them rather than accept a metric it would not scale on.
                errors.add(FieldError.invalidValue(metric, r.at(METRIC), "class " + effectiveClass + " scales on cpu or memory"));
            }
        }

        r.decimal(TARGET).ifPresent(v -> {
            if (v < 0.01) {
                errors.add(FieldError.outOfBounds(v, 0.01, "+Inf", r.at(TARGET)));
            }
        });
        r.decimal(TARGET_UTILIZATION).ifPresent(v -> r.between(TARGET_UTILIZATION, v, 1, 100));
        r.duration(WINDOW).ifPresent(w -> {
            if (w.compareTo(Duration.ofSeconds(6)) < 0 || w.compareTo(Duration.ofHours(1)) > 0) {
                errors.add(FieldError.outOfBounds(GoDuration.format(w), "6s", "1h0m0s", r.at(WINDOW)));
            } else if (w.toNanos() % 1_000_000_000L != 0) {
                errors.add(FieldError.invalidValue(GoDuration.format(w), r.at(WINDOW), "must be a whole number of seconds"));
            }
        });
        r.decimal(PANIC_WINDOW_PERCENTAGE).ifPresent(v -> r.between(PANIC_WINDOW_PERCENTAGE, v, 1, 100));
        r.decimal(PANIC_THRESHOLD_PERCENTAGE).ifPresent(v -> r.between(PANIC_THRESHOLD_PERCENTAGE, v, 110, 1000));

        Optional<Integer> min = r.int32(MIN_SCALE);
        min.ifPresent(v -> {
            if (v < 0) {
                errors.add(FieldError.outOfBounds(v, 0, Integer.MAX_VALUE, r.at(MIN_SCALE)));
            }
        });
        Optional<Integer> max = r.int32(MAX_SCALE);
        max.ifPresent(v -> {
            if (cluster.maxScaleLimit() > 0 && (v < 1 || v > cluster.maxScaleLimit())) {
                errors.add(FieldError.outOfBounds(v, 1, cluster.maxScaleLimit(), r.at(MAX_SCALE)));
            } else if (v < 0) {
                errors.add(FieldError.outOfBounds(v, 0, Integer.MAX_VALUE, r.at(MAX_SCALE)));
            }
        });
        int effectiveMin = min.orElse(cluster.minScale());
        int effectiveMax = max.orElse(cluster.maxScale());
        if ((min.isPresent() || max.isPresent()) && effectiveMax > 0 && effectiveMin > effectiveMax) {
            errors.add(new FieldError("max-scale=" + effectiveMax + " is less than min-scale=" + effectiveMin,
                    List.of(r.at(MAX_SCALE), r.at(MIN_SCALE)), ""));
        }
        r.int32(INITIAL_SCALE).ifPresent(v -> {
            int floor = cluster.allowZeroInitialScale() ? 0 : 1;
            if (v < floor) {
                errors.add(new FieldError("expected " + floor + " <= " + v + " <= " + Integer.MAX_VALUE,
                        List.of(r.at(INITIAL_SCALE)), floor == 1
                        ? "initial-scale 0 needs allow-zero-initial-scale: \"true\" in config-autoscaler" : ""));
            }
        });
        r.int32(ACTIVATION_SCALE).ifPresent(v -> {
            if (v < 2) {
                errors.add(FieldError.outOfBounds(v, 2, Integer.MAX_VALUE, r.at(ACTIVATION_SCALE)));
            } else if (v < effectiveMin) {
                errors.add(FieldError.of("activation-scale=" + v + " must be >= min-scale=" + effectiveMin, r.at(ACTIVATION_SCALE)));
            } else if (effectiveMax > 0 && v > effectiveMax) {
                errors.add(FieldError.of("activation-scale=" + v + " must be <= max-scale=" + effectiveMax, r.at(ACTIVATION_SCALE)));
            }
        });
        r.duration(SCALE_DOWN_DELAY).ifPresent(d -> r.delay(SCALE_DOWN_DELAY, d, true));
        r.duration(SCALE_TO_ZERO_POD_RETENTION).ifPresent(d -> r.delay(SCALE_TO_ZERO_POD_RETENTION, d, false));
        r.decimal(TARGET_BURST_CAPACITY).ifPresent(v -> {
            if (v < 0 && v != -1) {
                errors.add(FieldError.invalidValue(v, r.at(TARGET_BURST_CAPACITY), "must be >= 0 or exactly -1"));
            }
        });
        if (AutoscalerConfig.KPA_CLASS.equals(classAnnotation)) {
            lookup(annotations, METRIC_AGGREGATION).ifPresent(e -> {
                if (!List.of("", "linear", "weighted-exponential", "weightedExponential").contains(e.getValue())) {
                    errors.add(FieldError.invalidValue(e.getValue(), path + "[" + e.getKey() + "]",
                            "expected linear or weighted-exponential"));
                }
            });
        }
        Optional.ofNullable(annotations.get(PREDICTIVE)).ifPresent(v -> Values.bool(v, path + "[" + PREDICTIVE + "]", errors));
        Optional.ofNullable(annotations.get(PREDICTIVE_DAYS)).flatMap(v -> Values.int32(v, path + "[" + PREDICTIVE_DAYS + "]", errors))
                .filter(d -> d < 1 || d > 28)
                .ifPresent(d -> errors.add(FieldError.outOfBounds(d, 1, 28, path + "[" + PREDICTIVE_DAYS + "]")));
        Optional.ofNullable(annotations.get(PREDICTIVE_LEAD)).flatMap(v -> Values.duration(v, path + "[" + PREDICTIVE_LEAD + "]", errors))
                .filter(d -> d.isNegative() || d.compareTo(MAX_DELAY) > 0)
                .ifPresent(d -> errors.add(FieldError.outOfBounds(GoDuration.format(d), "0s", "1h0m0s", path + "[" + PREDICTIVE_LEAD + "]")));
        Optional.ofNullable(annotations.get(PROGRESS_DEADLINE))
                .flatMap(v -> Values.duration(v, path + "[" + PROGRESS_DEADLINE + "]", errors))
                .filter(d -> d.compareTo(Duration.ZERO) <= 0)
                .ifPresent(d -> errors.add(FieldError.invalidValue(GoDuration.format(d), path + "[" + PROGRESS_DEADLINE + "]", "must be > 0s")));
    }

    /** Typed reads of annotations that report parse failures at their field path. */
    private record Reader(Map<String, String> annotations, String path, FieldErrors errors) {

        String at(String key) {
            return path + "[" + lookup(annotations, key).map(Map.Entry::getKey).orElse(key) + "]";
        }

        Optional<Double> decimal(String key) {
            return lookup(annotations, key).flatMap(e -> Values.decimal(e.getValue(), path + "[" + e.getKey() + "]", errors));
        }

        Optional<Integer> int32(String key) {
            return lookup(annotations, key).flatMap(e -> Values.int32(e.getValue(), path + "[" + e.getKey() + "]", errors));
        }

        Optional<Duration> duration(String key) {
            return lookup(annotations, key).flatMap(e -> Values.duration(e.getValue(), path + "[" + e.getKey() + "]", errors));
        }

        void between(String key, double v, double lower, double upper) {
            if (v < lower || v > upper) {
                errors.add(FieldError.outOfBounds(v, lower, upper, at(key)));
            }
        }

        void delay(String key, Duration d, boolean wholeSeconds) {
            if (d.isNegative() || d.compareTo(MAX_DELAY) > 0) {
                errors.add(FieldError.outOfBounds(GoDuration.format(d), "0s", "1h0m0s", at(key)));
            } else if (wholeSeconds && d.toNanos() % 1_000_000_000L != 0) {
                errors.add(FieldError.invalidValue(GoDuration.format(d), at(key), "must be a whole number of seconds"));
            }
        }
    }
}
