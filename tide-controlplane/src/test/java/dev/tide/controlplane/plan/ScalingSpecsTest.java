package dev.tide.controlplane.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.api.config.ClusterConfig;
import dev.tide.autoscaler.Metric;
import dev.tide.api.resources.ResourceRequests;
import dev.tide.autoscaler.AutoscalerSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Section 1.4 of the autoscaler notes: the decider spec from annotations, containerConcurrency and the cluster. */
class ScalingSpecsTest {

    private static final ClusterConfig DEFAULTS = ClusterConfig.defaults("example.com");

    record Case(String name, Map<String, String> annotations, long cc, double wantTotal, double wantTarget) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Map<String, String> a(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i].contains("/") ? kv[i] : "autoscaling.knative.dev/" + kv[i], kv[i + 1]);
        }
        return m;
    }

    static Stream<Case> targets() {
        return Stream.of(
                new Case("defaults, unlimited concurrency", a(), 0, 100, 70),
                new Case("containerConcurrency is the total", a(), 10, 10, 7),
                new Case("a target above the hard limit is capped", a("target", "20"), 10, 10, 7),
                new Case("seed 001: target 1 at 90%", a("target", "1", "target-utilization-percentage", "90"), 0, 1, 0.9),
                new Case("seed 003: legacy utilization 100%, cc 1", a("targetUtilizationPercentage", "100"), 1, 1, 1),
                new Case("rps default", a("metric", "rps"), 0, 200, 140),
                new Case("rps target is not capped by cc", a("metric", "rps", "target", "50"), 10, 50, 35),
                new Case("target floored at 0.01", a("target", "0.01", "target-utilization-percentage", "1"), 0, 0.01, 0.01),
                new Case("hpa target is a utilization percent", a("class", "hpa.autoscaling.knative.dev", "target", "60"), 0, 60, 60),
                new Case("hpa default target", a("class", "hpa.autoscaling.knative.dev"), 0, 80, 80));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void resolvesTotalAndTarget(Case c) {
        AutoscalerSpec s = ScalingSpecs.resolve(c.annotations(), c.cc(), ResourceRequests.NONE, DEFAULTS, true);
        assertThat(s.decider().totalValue()).isCloseTo(c.wantTotal(), Offset.offset(1e-9));
        assertThat(s.decider().targetValue()).isCloseTo(c.wantTarget(), Offset.offset(1e-9));
    }

    @Test
    void defaultsAreKnatives() {
        AutoscalerSpec s = ScalingSpecs.resolve(a(), 0, ResourceRequests.NONE, DEFAULTS, true);
        assertThat(s.autoscalerClass()).isEqualTo("kpa.autoscaling.knative.dev");
        assertThat(s.decider().metric()).isEqualTo(Metric.CONCURRENCY);
        assertThat(s.decider().targetBurstCapacity()).isEqualTo(211);
        assertThat(s.decider().panicThreshold()).isEqualTo(2.0);
        assertThat(s.decider().stableWindow()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.decider().panicWindow()).isEqualTo(Duration.ofSeconds(6));
        assertThat(s.decider().maxScaleUpRate()).isEqualTo(1000);
        assertThat(s.decider().maxScaleDownRate()).isEqualTo(2);
        assertThat(s.policy().initialScale()).isEqualTo(1);
        assertThat(s.policy().activationTimeout()).isEqualTo(Duration.ofSeconds(630));
        assertThat(s.policy().gracePeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.aggregation()).isEqualTo("linear");
        assertThat(s.predictive()).isNull();
        assertThat(s.hpa()).isNull();
    }

    @Test
    void annotationsOverrideTheCluster() {
        AutoscalerSpec s = ScalingSpecs.resolve(a("window", "50s", "panic-window-percentage", "10.0", "panic-threshold-percentage",
                "300", "min-scale", "1", "maxScale", "3", "initial-scale", "5", "scale-down-delay", "4m", "activation-scale", "2",
                "target-burst-capacity", "-1", "scale-to-zero-pod-retention-period", "1m", "serving.knative.dev/progress-deadline", "60s",
                "metric-aggregation-algorithm", "weighted-exponential"), 0, ResourceRequests.NONE, DEFAULTS, false);
        assertThat(s.decider().stableWindow()).isEqualTo(Duration.ofSeconds(50));
        assertThat(s.decider().panicWindow()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.decider().panicThreshold()).isEqualTo(3.0);
        assertThat(s.decider().scaleDownDelay()).isEqualTo(Duration.ofMinutes(4));
        assertThat(s.decider().activationScale()).isEqualTo(2);
        assertThat(s.decider().targetBurstCapacity()).isEqualTo(-1);
        assertThat(s.decider().reachable()).isFalse();
        assertThat(s.policy().minScale()).isEqualTo(1);
        assertThat(s.policy().maxScale()).isEqualTo(3);
        assertThat(s.policy().initialScale()).isEqualTo(5);
        assertThat(s.policy().retentionPeriod()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.policy().activationTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(s.aggregation()).isEqualTo("weighted-exponential");
    }

    @Test
    void clusterSettingsApply() {
        ClusterConfig cluster = DEFAULTS.with("config-autoscaler", Map.of("max-scale-up-rate", "500.0", "max-scale-down-rate", "4.0",
                "container-concurrency-target-percentage", "80", "enable-scale-to-zero", "false"), "example.com");
        AutoscalerSpec s = ScalingSpecs.resolve(a(), 0, ResourceRequests.NONE, cluster, true);
        assertThat(s.decider().maxScaleUpRate()).isEqualTo(500);
        assertThat(s.decider().maxScaleDownRate()).isEqualTo(4);
        assertThat(s.decider().targetValue()).isCloseTo(80, Offset.offset(1e-9));
        assertThat(s.policy().enableScaleToZero()).isFalse();
    }

    @Test
    void zeroInitialScaleNeedsTheClusterToAllowIt() {
        assertThat(ScalingSpecs.resolve(a("initial-scale", "0"), 0, ResourceRequests.NONE, DEFAULTS, true).policy().initialScale()).isEqualTo(1);
        ClusterConfig allowing = DEFAULTS.with("config-autoscaler", Map.of("allow-zero-initial-scale", "true"), "example.com");
        assertThat(ScalingSpecs.resolve(a("initial-scale", "0"), 0, ResourceRequests.NONE, allowing, true).policy().initialScale()).isZero();
    }

    @Test
    void predictiveOption() {
        AutoscalerSpec s = ScalingSpecs.resolve(a("autoscaling.tide.dev/predictive", "true", "autoscaling.tide.dev/predictive-lead", "5m"),
                0, ResourceRequests.NONE, DEFAULTS, true);
        assertThat(s.predictive()).isEqualTo(new AutoscalerSpec.Predictive(7, Duration.ofMinutes(5)));
    }

    @Test
    void hpaClassTakesItsResourceAndRequest() {
        AutoscalerSpec cpu = ScalingSpecs.resolve(a("class", "hpa.autoscaling.knative.dev", "metric", "cpu", "target", "60"), 0,
                new ResourceRequests(0.5, 64e6), DEFAULTS, true);
        assertThat(cpu.hpa()).isEqualTo(new AutoscalerSpec.Hpa(AutoscalerSpec.Resource.CPU, 60, 0.5, Duration.ofSeconds(15), Duration.ofMinutes(5)));
        AutoscalerSpec memory = ScalingSpecs.resolve(a("class", "hpa.autoscaling.knative.dev", "metric", "memory"), 0,
                new ResourceRequests(0.5, 64e6), DEFAULTS, true);
        assertThat(memory.hpa()).isEqualTo(new AutoscalerSpec.Hpa(AutoscalerSpec.Resource.MEMORY, 80, 64e6, Duration.ofSeconds(15),
                Duration.ofMinutes(5)));
        assertThat(ScalingSpecs.resolve(a(), 0, new ResourceRequests(0.5, 64e6), DEFAULTS, true).hpa()).as("KPA").isNull();
    }
}
