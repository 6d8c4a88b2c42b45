package dev.tide.api.autoscaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.api.config.AutoscalerConfig;
import dev.tide.common.validation.FieldErrors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every admission rule of the per-revision autoscaling annotations (section 1.3 of the autoscaler notes). */
class AutoscalingAnnotationsTest {

    private static final String P = "autoscaling.knative.dev/";
    private static final String AT = "metadata.annotations[" + P;

    record Case(String name, Map<String, String> annotations, AutoscalerConfig cluster, List<String> want) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case ok(String name, String... kv) {
        return new Case(name, map(kv), AutoscalerConfig.DEFAULTS, List.of());
    }

    private static Case bad(String name, List<String> want, String... kv) {
        return new Case(name, map(kv), AutoscalerConfig.DEFAULTS, want);
    }

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i].contains("/") ? kv[i] : P + kv[i], kv[i + 1]);
        }
        return m;
    }

    private static AutoscalerConfig cluster(Map<String, String> data) {
        return AutoscalerConfig.parse(data, new FieldErrors());
    }

    static Stream<Case> cases() {
        return Stream.of(
                ok("no annotations"),
                ok("kpa class", "class", "kpa.autoscaling.knative.dev"),
                ok("hpa class with cpu", "class", "hpa.autoscaling.knative.dev", "metric", "cpu"),
                ok("mpa is Tide's precise class", "class", "mpa.autoscaling.knative.dev", "metric", "concurrency"),
                ok("other domains are accepted", "class", "custom.example.com", "metric", "anything"),
                bad("unknown knative class", List.of("invalid value: foo.autoscaling.knative.dev: " + AT + "class]"),
                        "class", "foo.autoscaling.knative.dev"),
                ok("rps metric", "metric", "rps"),
                bad("cpu metric on the default KPA class", List.of("invalid value: cpu: " + AT + "metric]"), "metric", "cpu"),
                bad("empty metric on HPA", List.of("invalid value: : " + AT + "metric]"), "class", "hpa.autoscaling.knative.dev", "metric", ""),
                ok("smallest target", "target", "0.01"),
                bad("target below 0.01", List.of("expected 0.01 <= 0.005 <= +Inf: " + AT + "target]"), "target", "0.005"),
                bad("target not a number", List.of("invalid value: abc: " + AT + "target]"), "target", "abc"),
                bad("utilization 0", List.of("expected 1 <= 0 <= 100: " + AT + "target-utilization-percentage]"),
                        "target-utilization-percentage", "0"),
                bad("utilization 101", List.of("expected 1 <= 101 <= 100: " + AT + "target-utilization-percentage]"),
                        "target-utilization-percentage", "101"),
                bad("legacy utilization alias is checked at its own key",
                        List.of("expected 1 <= 0 <= 100: " + AT + "targetUtilizationPercentage]"), "targetUtilizationPercentage", "0"),
                ok("kebab key wins over the legacy alias", "target-utilization-percentage", "90", "targetUtilizationPercentage", "0"),
                ok("window 6s", "window", "6s"),
                ok("window 1h", "window", "1h"),
                bad("window 5s", List.of("expected 6s <= 5s <= 1h0m0s: " + AT + "window]"), "window", "5s"),
                bad("window 61m", List.of("expected 6s <= 1h1m0s <= 1h0m0s: " + AT + "window]"), "window", "61m"),
                bad("window not whole seconds", List.of("invalid value: 6.5s: " + AT + "window]"), "window", "6500ms"),
                bad("window not a duration", List.of("invalid value: 50: " + AT + "window]"), "window", "50"),
                ok("panic window 100%", "panic-window-percentage", "100"),
                bad("panic window 0.5%", List.of("expected 1 <= 0.5 <= 100: " + AT + "panic-window-percentage]"),
                        "panic-window-percentage", "0.5"),
                bad("panic window 101% via alias", List.of("expected 1 <= 101 <= 100: " + AT + "panicWindowPercentage]"),
                        "panicWindowPercentage", "101"),
                ok("panic threshold 110", "panic-threshold-percentage", "110"),
                ok("panic threshold 1000", "panic-threshold-percentage", "1000"),
                bad("panic threshold 109", List.of("expected 110 <= 109 <= 1000: " + AT + "panic-threshold-percentage]"),
                        "panic-threshold-percentage", "109"),
                bad("panic threshold 1001 via alias", List.of("expected 110 <= 1001 <= 1000: " + AT + "panicThresholdPercentage]"),
                        "panicThresholdPercentage", "1001"),
                bad("negative min-scale", List.of("expected 0 <= -1 <= 2147483647: " + AT + "min-scale]"), "min-scale", "-1"),
                bad("fractional min-scale", List.of("invalid value: 1.5: " + AT + "min-scale]"), "min-scale", "1.5"),
                bad("negative max-scale", List.of("expected 0 <= -1 <= 2147483647: " + AT + "max-scale]"), "max-scale", "-1"),
                bad("min above max", List.of("max-scale=2 is less than min-scale=5: " + AT + "max-scale], " + AT + "min-scale]"),
                        "min-scale", "5", "max-scale", "2"),
                ok("min with unbounded max", "min-scale", "5", "max-scale", "0"),
                ok("legacy min and max", "minScale", "1", "maxScale", "10"),
                new Case("max-scale above max-scale-limit", map("max-scale", "11"), cluster(Map.of("max-scale-limit", "10", "max-scale", "5")),
                        List.of("expected 1 <= 11 <= 10: " + AT + "max-scale]")),
                new Case("unbounded max-scale under a limit", map("max-scale", "0"), cluster(Map.of("max-scale-limit", "10", "max-scale", "5")),
                        List.of("expected 1 <= 0 <= 10: " + AT + "max-scale]")),
                bad("initial-scale 0 not allowed", List.of("expected 1 <= 0 <= 2147483647: " + AT + "initial-scale]"), "initial-scale", "0"),
                new Case("initial-scale 0 allowed", map("initial-scale", "0"), cluster(Map.of("allow-zero-initial-scale", "true")), List.of()),
                ok("initial-scale above max-scale is fine (seed 001)", "initial-scale", "5", "max-scale", "3", "min-scale", "1"),
                bad("activation-scale 1", List.of("expected 2 <= 1 <= 2147483647: " + AT + "activation-scale]"), "activation-scale", "1"),
                ok("activation-scale 2", "activation-scale", "2"),
                bad("activation-scale below min-scale", List.of("activation-scale=2 must be >= min-scale=3: " + AT + "activation-scale]"),
                        "activation-scale", "2", "min-scale", "3"),
                bad("activation-scale above max-scale", List.of("activation-scale=3 must be <= max-scale=2: " + AT + "activation-scale]"),
                        "activation-scale", "3", "max-scale", "2"),
                ok("scale-down-delay 1h", "scale-down-delay", "1h"),
                bad("negative scale-down-delay", List.of("expected 0s <= -1s <= 1h0m0s: " + AT + "scale-down-delay]"), "scale-down-delay", "-1s"),
                bad("scale-down-delay over an hour via alias", List.of("expected 0s <= 1h1m0s <= 1h0m0s: " + AT + "scaleDownDelay]"),
                        "scaleDownDelay", "61m"),
                bad("scale-down-delay not whole seconds", List.of("invalid value: 1.5s: " + AT + "scale-down-delay]"), "scale-down-delay", "1500ms"),
                ok("retention 0", "scale-to-zero-pod-retention-period", "0"),
                bad("retention 2h", List.of("expected 0s <= 2h0m0s <= 1h0m0s: " + AT + "scale-to-zero-pod-retention-period]"),
                        "scale-to-zero-pod-retention-period", "2h"),
                ok("burst capacity -1", "target-burst-capacity", "-1"),
                ok("burst capacity 0", "target-burst-capacity", "0"),
                bad("burst capacity -2", List.of("invalid value: -2: " + AT + "target-burst-capacity]"), "target-burst-capacity", "-2"),
                bad("aggregation checked with the explicit KPA class", List.of("invalid value: median: " + AT + "metric-aggregation-algorithm]"),
                        "class", "kpa.autoscaling.knative.dev", "metric-aggregation-algorithm", "median"),
                ok("aggregation unchecked without a class annotation", "metric-aggregation-algorithm", "median"),
                ok("weightedExponential spelling", "class", "kpa.autoscaling.knative.dev", "metricAggregationAlgorithm", "weightedExponential"),
                bad("progress deadline 0s", List.of("invalid value: 0s: metadata.annotations[serving.knative.dev/progress-deadline]"),
                        "serving.knative.dev/progress-deadline", "0s"),
                ok("predictive on", "autoscaling.tide.dev/predictive", "true", "autoscaling.tide.dev/predictive-days", "14",
                        "autoscaling.tide.dev/predictive-lead", "5m"),
                bad("predictive not a bool", List.of("invalid value: yes: metadata.annotations[autoscaling.tide.dev/predictive]"),
                        "autoscaling.tide.dev/predictive", "yes"),
                bad("predictive days 29", List.of("expected 1 <= 29 <= 28: metadata.annotations[autoscaling.tide.dev/predictive-days]"),
                        "autoscaling.tide.dev/predictive-days", "29"),
                bad("predictive lead 2h", List.of("expected 0s <= 2h0m0s <= 1h0m0s: metadata.annotations[autoscaling.tide.dev/predictive-lead]"),
                        "autoscaling.tide.dev/predictive-lead", "2h"),
                bad("every error at once", List.of(
                        "expected 0.01 <= 0 <= +Inf: " + AT + "target]",
                        "expected 6s <= 1s <= 1h0m0s: " + AT + "window]",
                        "expected 0 <= -3 <= 2147483647: " + AT + "min-scale]"),
                        "target", "0", "window", "1s", "min-scale", "-3"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void validates(Case c) {
        FieldErrors errors = new FieldErrors();
        AutoscalingAnnotations.validate(c.annotations(), c.cluster(), "metadata.annotations", errors);
        assertThat(errors.list()).extracting(e -> e.message() + ": " + e.path()).containsExactlyElementsOf(c.want());
    }
}
