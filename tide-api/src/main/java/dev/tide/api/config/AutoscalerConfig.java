package dev.tide.api.config;

import dev.tide.common.text.GoDuration;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.time.Duration;
import java.util.Map;

/**
 * The cluster-wide autoscaling settings, ConfigMap {@code config-autoscaler} in namespace
 * {@code knative-serving}. Keys, types, defaults and rules are Knative's; each component maps one-to-one onto
 * a kebab-case key ({@code stableWindow} is {@code stable-window}).
 *
 * @param containerConcurrencyTargetFraction the {@code container-concurrency-target-percentage} as a fraction:
 *                                           a written value above 1 is a percentage ({@code "70"} is 0.7), a
 *                                           value up to 1 is already a fraction ({@code "0.71"})
 */
public record AutoscalerConfig(
        String podAutoscalerClass,
        boolean enableScaleToZero,
        double containerConcurrencyTargetFraction,
        double containerConcurrencyTargetDefault,
        double requestsPerSecondTargetDefault,
        double targetBurstCapacity,
        Duration stableWindow,
        double panicWindowPercentage,
        double panicThresholdPercentage,
        double maxScaleUpRate,
        double maxScaleDownRate,
        Duration scaleToZeroGracePeriod,
        Duration scaleToZeroPodRetentionPeriod,
        Duration scaleDownDelay,
        double activatorCapacity,
        int initialScale,
        boolean allowZeroInitialScale,
        int minScale,
        int maxScale,
        int maxScaleLimit) {

    public static final String NAME = "config-autoscaler";
    public static final String KPA_CLASS = "kpa.autoscaling.knative.dev";
    public static final String HPA_CLASS = "hpa.autoscaling.knative.dev";
    /**
     * Tide's precise-concurrency class. Alibaba Cloud's Knative uses this name for scaling on the exact
     * concurrency its gateway sees; Tide's gateway always sees exact concurrency, so this class runs the KPA
     * algorithm on unsampled gateway counts (see the README).
     */
    public static final String MPA_CLASS = "mpa.autoscaling.knative.dev";

    /** Knative's defaults: every key absent. */
    public static final AutoscalerConfig DEFAULTS = new AutoscalerConfig(
            KPA_CLASS, true, 0.7, 100, 200, 211, Duration.ofSeconds(60), 10, 200, 1000, 2,
            Duration.ofSeconds(30), Duration.ZERO, Duration.ZERO, 100, 1, false, 0, 0, 0);

    static final Duration WINDOW_MIN = Duration.ofSeconds(6);
    static final Duration WINDOW_MAX = Duration.ofHours(1);

    /**
     * Parses {@code data} over the defaults and validates it. Errors go to {@code errors} in the order of
     * Knative's rules (section 1.1 of the autoscaler notes); unknown keys are ignored, as Knative ignores them.
     */
    public static AutoscalerConfig parse(Map<String, String> data, FieldErrors errors) {
        ConfigData d = new ConfigData(data, errors);
        AutoscalerConfig x = DEFAULTS;
        double percentage = d.decimal("container-concurrency-target-percentage", 70);
        AutoscalerConfig c = new AutoscalerConfig(
                d.string("pod-autoscaler-class", x.podAutoscalerClass),
                d.bool("enable-scale-to-zero", x.enableScaleToZero),
                percentage > 1 ? percentage / 100 : percentage,
                d.decimal("container-concurrency-target-default", x.containerConcurrencyTargetDefault),
                d.decimal("requests-per-second-target-default", x.requestsPerSecondTargetDefault),
                d.decimal("target-burst-capacity", x.targetBurstCapacity),
                d.duration("stable-window", x.stableWindow),
                d.decimal("panic-window-percentage", x.panicWindowPercentage),
                d.decimal("panic-threshold-percentage", x.panicThresholdPercentage),
                d.decimal("max-scale-up-rate", x.maxScaleUpRate),
                d.decimal("max-scale-down-rate", x.maxScaleDownRate),
                d.duration("scale-to-zero-grace-period", x.scaleToZeroGracePeriod),
                d.duration("scale-to-zero-pod-retention-period", x.scaleToZeroPodRetentionPeriod),
                d.duration("scale-down-delay", x.scaleDownDelay),
                d.decimal("activator-capacity", x.activatorCapacity),
                d.int32("initial-scale", x.initialScale),
                d.bool("allow-zero-initial-scale", x.allowZeroInitialScale),
                d.int32("min-scale", x.minScale),
                d.int32("max-scale", x.maxScale),
                d.int32("max-scale-limit", x.maxScaleLimit));
        c.validate(percentage, errors);
        return c;
    }

    private void validate(double writtenPercentage, FieldErrors errors) {
        if (scaleToZeroGracePeriod.compareTo(Duration.ZERO) <= 0) {
            errors.add(rule("scale-to-zero-grace-period", scaleToZeroGracePeriod, "must be > 0s"));
        }
        if (scaleDownDelay.isNegative()) {
            errors.add(rule("scale-down-delay", scaleDownDelay, "must be >= 0s"));
        } else if (scaleDownDelay.toNanos() % 1_000_000_000L != 0) {
            errors.add(rule("scale-down-delay", scaleDownDelay, "must be a whole number of seconds"));
        }
        if (scaleToZeroPodRetentionPeriod.isNegative()) {
            errors.add(rule("scale-to-zero-pod-retention-period", scaleToZeroPodRetentionPeriod, "must be >= 0s"));
        }
        if (targetBurstCapacity < 0 && targetBurstCapacity != -1) {
            errors.add(rule("target-burst-capacity", targetBurstCapacity, "must be >= 0 or exactly -1"));
        }
        if (containerConcurrencyTargetFraction <= 0 || containerConcurrencyTargetFraction > 1) {
            errors.add(rule("container-concurrency-target-percentage", writtenPercentage,
                    "must be in (0, 100]: a value above 1 is a percentage, a value up to 1 a fraction"));
        } else if (containerConcurrencyTargetFraction * containerConcurrencyTargetDefault < 0.01) {
            errors.add(rule("container-concurrency-target-default", containerConcurrencyTargetDefault,
                    "container-concurrency-target-percentage x container-concurrency-target-default must be >= 0.01"));
        }
        if (requestsPerSecondTargetDefault < 0.01) {
            errors.add(rule("requests-per-second-target-default", requestsPerSecondTargetDefault, "must be >= 0.01"));
        }
        if (activatorCapacity < 1) {
            errors.add(rule("activator-capacity", activatorCapacity, "must be >= 1"));
        }
        if (maxScaleUpRate <= 1) {
            errors.add(rule("max-scale-up-rate", maxScaleUpRate, "must be > 1"));
        }
        if (maxScaleDownRate <= 1) {
            errors.add(rule("max-scale-down-rate", maxScaleDownRate, "must be > 1"));
        }
        if (stableWindow.compareTo(WINDOW_MIN) < 0 || stableWindow.compareTo(WINDOW_MAX) > 0) {
            errors.add(FieldError.outOfBounds(GoDuration.format(stableWindow), GoDuration.format(WINDOW_MIN),
                    GoDuration.format(WINDOW_MAX), ConfigData.path("stable-window")));
        } else if (stableWindow.toNanos() % 1_000_000_000L != 0) {
            errors.add(rule("stable-window", stableWindow, "must be a whole number of seconds"));
        }
        if (panicWindowPercentage < 1 || panicWindowPercentage > 100) {
            errors.add(FieldError.outOfBounds(panicWindowPercentage, 1, 100, ConfigData.path("panic-window-percentage")));
        }
        int initialMin = allowZeroInitialScale ? 0 : 1;
        if (initialScale < initialMin) {
            errors.add(rule("initial-scale", initialScale, allowZeroInitialScale
                    ? "must be >= 0" : "must be >= 1 (or set allow-zero-initial-scale: \"true\")"));
        }
        if (minScale < 0) {
            errors.add(rule("min-scale", minScale, "must be >= 0"));
        }
        if (maxScale < 0 || (maxScaleLimit > 0 && (maxScale < 1 || maxScale > maxScaleLimit))) {
            errors.add(maxScaleLimit > 0
                    ? FieldError.outOfBounds(maxScale, 1, maxScaleLimit, ConfigData.path("max-scale"))
                    : rule("max-scale", maxScale, "must be >= 0"));
        }
        if (maxScaleLimit < 0) {
            errors.add(rule("max-scale-limit", maxScaleLimit, "must be >= 0"));
        }
        if (maxScale > 0 && minScale > maxScale) {
            errors.add(new FieldError("min-scale (" + minScale + ") must be less than or equal to max-scale ("
                    + maxScale + ")", java.util.List.of(ConfigData.path("min-scale"), ConfigData.path("max-scale")), ""));
        }
    }

    private static FieldError rule(String key, Object value, String why) {
        Object shown = value instanceof Duration dur ? GoDuration.format(dur) : value;
        return FieldError.invalidValue(shown, ConfigData.path(key), why);
    }
}
