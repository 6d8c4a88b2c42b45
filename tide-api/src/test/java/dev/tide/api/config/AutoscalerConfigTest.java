package dev.tide.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.common.validation.FieldErrors;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AutoscalerConfigTest {

    record Case(String name, Map<String, String> data, List<String> wantPaths) {
        @Override
        public String toString() {
            return name;
        }
    }

    @Test
    void emptyMapIsKnativesDefaults() {
        FieldErrors errors = new FieldErrors();
        AutoscalerConfig c = AutoscalerConfig.parse(Map.of(), errors);
        assertThat(errors.isEmpty()).isTrue();
        assertThat(c).isEqualTo(AutoscalerConfig.DEFAULTS);
        assertThat(c.containerConcurrencyTargetFraction()).isEqualTo(0.7);
        assertThat(c.stableWindow()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.targetBurstCapacity()).isEqualTo(211);
    }

    @Test
    void seedValuesParse() {
        FieldErrors errors = new FieldErrors();
        AutoscalerConfig c = AutoscalerConfig.parse(Map.of("max-scale-up-rate", "500.0", "max-scale-down-rate", "4.0",
                "enable-scale-to-zero", "False", "stable-window", "2m3s", "scale-down-delay", "0"), errors);
        assertThat(errors.isEmpty()).isTrue();
        assertThat(c.maxScaleUpRate()).isEqualTo(500.0);
        assertThat(c.maxScaleDownRate()).isEqualTo(4.0);
        assertThat(c.enableScaleToZero()).isFalse();
        assertThat(c.stableWindow()).isEqualTo(Duration.ofSeconds(123));
    }

    record Percent(String written, Double fraction) {
        @Override
        public String toString() {
            return written;
        }
    }

    static Stream<Percent> percentages() {
        return Stream.of(new Percent("55", 0.55), new Percent("0.71", 0.71), new Percent("1", 1.0),
                new Percent("100", 1.0), new Percent("142.4", null), new Percent("-42", null), new Percent("0", null));
    }

    @ParameterizedTest
    @MethodSource("percentages")
    void utilizationAboveOneIsAPercentage(Percent p) {
        FieldErrors errors = new FieldErrors();
        AutoscalerConfig c = AutoscalerConfig.parse(Map.of("container-concurrency-target-percentage", p.written()), errors);
        if (p.fraction() == null) {
            assertThat(errors.list()).extracting(e -> e.path()).containsExactly("data[container-concurrency-target-percentage]");
        } else {
            assertThat(errors.isEmpty()).isTrue();
            assertThat(c.containerConcurrencyTargetFraction()).isCloseTo(p.fraction(), org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    static Stream<Case> invalid() {
        return Stream.of(
                new Case("grace period 0", Map.of("scale-to-zero-grace-period", "0s"), List.of("data[scale-to-zero-grace-period]")),
                new Case("negative delay", Map.of("scale-down-delay", "-1s"), List.of("data[scale-down-delay]")),
                new Case("fractional delay", Map.of("scale-down-delay", "1500ms"), List.of("data[scale-down-delay]")),
                new Case("negative retention", Map.of("scale-to-zero-pod-retention-period", "-1s"), List.of("data[scale-to-zero-pod-retention-period]")),
                new Case("burst capacity -2", Map.of("target-burst-capacity", "-2"), List.of("data[target-burst-capacity]")),
                new Case("tiny concurrency target", Map.of("container-concurrency-target-default", "0.01"), List.of("data[container-concurrency-target-default]")),
                new Case("tiny rps target", Map.of("requests-per-second-target-default", "0.001"), List.of("data[requests-per-second-target-default]")),
                new Case("activator capacity 0.5", Map.of("activator-capacity", "0.5"), List.of("data[activator-capacity]")),
                new Case("up rate 1", Map.of("max-scale-up-rate", "1"), List.of("data[max-scale-up-rate]")),
                new Case("down rate 1", Map.of("max-scale-down-rate", "1.0"), List.of("data[max-scale-down-rate]")),
                new Case("stable window 5s", Map.of("stable-window", "5s"), List.of("data[stable-window]")),
                new Case("stable window not whole", Map.of("stable-window", "6500ms"), List.of("data[stable-window]")),
                new Case("panic window 0.5%", Map.of("panic-window-percentage", "0.5"), List.of("data[panic-window-percentage]")),
                new Case("initial scale 0", Map.of("initial-scale", "0"), List.of("data[initial-scale]")),
                new Case("negative min scale", Map.of("min-scale", "-1"), List.of("data[min-scale]")),
                new Case("max scale over limit", Map.of("max-scale-limit", "5", "max-scale", "6"), List.of("data[max-scale]")),
                new Case("negative limit", Map.of("max-scale-limit", "-1"), List.of("data[max-scale-limit]")),
                new Case("min above max", Map.of("min-scale", "3", "max-scale", "2"), List.of("data[min-scale], data[max-scale]")),
                new Case("bad bool", Map.of("enable-scale-to-zero", "yes"), List.of("data[enable-scale-to-zero]")),
                new Case("bad int", Map.of("min-scale", "1.5"), List.of("data[min-scale]")),
                new Case("bad duration", Map.of("stable-window", "60"), List.of("data[stable-window]")),
                new Case("errors in the order of Knative's rules",
                        Map.of("max-scale-up-rate", "0", "scale-to-zero-grace-period", "0s", "stable-window", "1s"),
                        List.of("data[scale-to-zero-grace-period]", "data[max-scale-up-rate]", "data[stable-window]")));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void rejects(Case c) {
        FieldErrors errors = new FieldErrors();
        AutoscalerConfig.parse(c.data(), errors);
        assertThat(errors.list()).extracting(e -> e.path()).containsExactlyElementsOf(c.wantPaths());
    }

    @Test
    void unknownKeysAreIgnoredAsKnativeIgnoresThem() {
        FieldErrors errors = new FieldErrors();
        AutoscalerConfig.parse(Map.of("tick-interval", "2s", "panic-window", "6s", "_example", "docs"), errors);
        assertThat(errors.isEmpty()).isTrue();
    }

    @Test
    void panicThresholdIsNotRangeCheckedInTheConfigMap() {
        FieldErrors errors = new FieldErrors();
        AutoscalerConfig.parse(Map.of("panic-threshold-percentage", "50"), errors);
        assertThat(errors.isEmpty()).isTrue();
    }
}
