package dev.tide.controlplane.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.autoscaler.AutoscalerSpec;
import dev.tide.autoscaler.DeciderSpec;
import dev.tide.autoscaler.Metric;
import dev.tide.autoscaler.Observation;
import dev.tide.autoscaler.PodAutoscaler;
import dev.tide.autoscaler.RevisionAutoscaler;
import dev.tide.autoscaler.ScaleDecision;
import dev.tide.autoscaler.ScalePolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each cause of a scaling step, as its Event says it. */
class ScalingEventsTest {

    private static final DeciderSpec DECIDER = new DeciderSpec(Metric.CONCURRENCY, 10, 10, 0, 2.0, 1000, 2, Duration.ofSeconds(60),
            Duration.ofSeconds(6), Duration.ZERO, 0, 1, true);
    private static final ScalePolicy POLICY = new ScalePolicy(0, 0, 1, true, Duration.ofSeconds(60), Duration.ofSeconds(30),
            Duration.ZERO, Duration.ofSeconds(630));
    private static final AutoscalerSpec KPA = new AutoscalerSpec("kpa.autoscaling.knative.dev", "concurrency", DECIDER, POLICY, "linear",
            new AutoscalerSpec.Predictive(7, Duration.ofMinutes(2)), null);
    private static final AutoscalerSpec HPA = new AutoscalerSpec("hpa.autoscaling.knative.dev", "cpu", DECIDER, POLICY, "linear", null,
            new AutoscalerSpec.Hpa(AutoscalerSpec.Resource.CPU, 80, 0.5, Duration.ofSeconds(15), Duration.ofMinutes(5)));

    private static RevisionAutoscaler.Step step(double stable, double panic, int decided, boolean panicking, int desired, int want,
                                                double forecast) {
        return new RevisionAutoscaler.Step(new Observation.Metrics(2, stable, panic), new ScaleDecision.Scale(decided, 0, panicking),
                desired, forecast, new PodAutoscaler.Applied(want, want, -1, PodAutoscaler.Activity.ACTIVE, false));
    }

    @Test
    void panic() {
        assertThat(ScalingEvents.of(2, 5, step(20, 45.2, 5, true, 5, 5, Double.NaN), KPA, false)).isEqualTo(new ScalingEvents.Event("ScaledUp",
                "Scaled from 2 to 5 replicas (panic: 45.2 in flight over the panic window, target 10 per replica)"));
    }

    @Test
    void stableAndBounded() {
        assertThat(ScalingEvents.of(5, 3, step(20, 20, 2, false, 2, 3, Double.NaN), KPA, false).message())
                .isEqualTo("Scaled from 5 to 3 replicas (stable: 20 in flight over the stable window, target 10 per replica; "
                        + "bounded by min-scale, max-scale or initial-scale)");
    }

    @Test
    void predictive() {
        assertThat(ScalingEvents.of(1, 8, step(5, 5, 1, false, 8, 8, 80), KPA, false).message())
                .isEqualTo("Scaled from 1 to 8 replicas (predictive: 80 in flight expected 2m0s ahead, target 10 per replica)");
    }

    @Test
    void activationAndZero() {
        assertThat(ScalingEvents.of(0, 1, step(1, 1, 1, false, 1, 1, Double.NaN), KPA, true).message())
                .isEqualTo("Scaled from 0 to 1 replicas (activation: a request arrived with no replica ready)");
        assertThat(ScalingEvents.of(1, 0, step(0, 0, 0, false, 0, 0, Double.NaN), KPA, false))
                .isEqualTo(new ScalingEvents.Event("ScaledDown",
                        "Scaled from 1 to 0 replicas (scale to zero: no traffic for the stable window and the grace period)"));
    }

    @Test
    void hpa() {
        assertThat(ScalingEvents.of(1, 3, step(170, 170, 3, false, 3, 3, Double.NaN), HPA, false).message())
                .isEqualTo("Scaled from 1 to 3 replicas (hpa: cpu at 170% of the request, target 80%)");
    }
}
