package dev.tide.cli.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MetricsHistoryTest {

    private static final Tags REV = Tags.of("namespace_name", "default", "revision_name", "hello-00001");

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicInteger ready = new AtomicInteger();

    private Counter ok() {
        return Counter.builder("revision_request_count").tags(REV).tag("response_code", "200").tag("response_code_class", "2xx")
                .register(registry);
    }

    private DistributionSummary latency() {
        return DistributionSummary.builder("revision_request_latencies").tags(REV).serviceLevelObjectives(5, 10, 20)
                .register(registry);
    }

    private Gauge readyGauge() {
        return Gauge.builder("autoscaler_ready_pods", ready, AtomicInteger::get).tags(REV).register(registry);
    }

    @Test
    void anIdleRevisionHoldsOneRunButReadsAsEverySecond() {
        readyGauge();
        MetricsHistory history = new MetricsHistory(registry, List::of);
        for (long t = 100; t < 100 + 600; t++) {
            history.sample(t);
        }
        Map<String, List<Double>> h = history.history("default", "hello-00001");
        assertThat(h.get("t")).hasSize(600).startsWith(100.0).endsWith(699.0);
        assertThat(h.get("ready")).containsOnly(0.0);
        assertThat(history.runs("default", "hello-00001")).as("the first second (no request rate yet), then one run").isEqualTo(2);
    }

    @Test
    void aChangeStartsARunThatLastsUntilTheNext() {
        readyGauge();
        MetricsHistory history = new MetricsHistory(registry, List::of);
        history.sample(10);
        history.sample(11);
        ready.set(3);
        history.sample(12);
        history.sample(13);
        ready.set(1);
        history.sample(14);
        Map<String, List<Double>> h = history.history("default", "hello-00001");
        assertThat(h.get("t")).containsExactly(10.0, 11.0, 12.0, 13.0, 14.0);
        assertThat(h.get("ready")).containsExactly(0.0, 0.0, 3.0, 3.0, 1.0);
        assertThat(history.runs("default", "hello-00001")).as("the first second, then runs from 11, 12 and 14").isEqualTo(4);
    }

    @Test
    void requestsPerSecondAndPercentilesComeFromTheSecondsDeltas() {
        Counter ok = ok();
        DistributionSummary latency = latency();
        MetricsHistory history = new MetricsHistory(registry, List::of);
        history.sample(1);
        // Ten requests: six in the 5-10 ms bucket and four in 10-20 ms. P50 is rank 5 of the six: 5 + 5 x 5/6.
        for (int i = 0; i < 10; i++) {
            ok.increment();
            latency.record(i < 6 ? 7 : 15);
        }
        history.sample(2);
        history.sample(3);
        Map<String, List<Double>> h = history.history("default", "hello-00001");
        assertThat(h.get("rps")).containsExactly(null, 10.0, 0.0);
        assertThat(h.get("success")).containsExactly(null, 1.0, null);
        assertThat(h.get("p50").get(1)).isCloseTo(5 + 5 * 5.0 / 6, within(1e-9));
        assertThat(h.get("p50").get(2)).as("no request, no percentile").isNull();
    }

    @Test
    void theWindowKeepsTheLastHour() {
        readyGauge();
        MetricsHistory history = new MetricsHistory(registry, List::of);
        for (long t = 0; t < MetricsHistory.KEEP + 500; t++) {
            ready.set((int) (t / 1000));
            history.sample(t);
        }
        List<Double> t = history.history("default", "hello-00001").get("t");
        assertThat(t).hasSize(MetricsHistory.KEEP).startsWith(500.0).endsWith(MetricsHistory.KEEP + 499.0);
        assertThat(history.runs("default", "hello-00001")).as("the run from 1, cut at 500, then runs from 1000, 2000, 3000 and 4000")
                .isEqualTo(5);
    }

    @Test
    void aRevisionWhoseMetersAreGoneLosesItsHistorySoOneCreatedAgainStartsAfresh() {
        List<io.micrometer.core.instrument.Meter> meters = new ArrayList<>(List.of(readyGauge(), ok()));
        MetricsHistory history = new MetricsHistory(registry, List::of);
        ready.set(2);
        history.sample(1);
        history.sample(2);
        registry.remove(meters.get(0));
        history.sample(3);
        assertThat(history.history("default", "hello-00001").get("t")).as("one meter left: still served").hasSize(3);
        registry.remove(meters.get(1));
        assertThat(history.history("default", "hello-00001").get("t")).isEmpty();
        ready.set(0);
        readyGauge();
        history.sample(4);
        assertThat(history.history("default", "hello-00001").get("ready")).containsExactly(0.0);
    }

    @Test
    void theForecastIsChartedBesideTheLoadItForecasts() {
        double[] load = {4};
        double[] forecast = {Double.NaN};
        Gauge.builder("tide_autoscaler_observed_load", () -> load[0]).tags(REV).register(registry);
        Gauge.builder("tide_autoscaler_forecast_load", () -> forecast[0]).tags(REV).register(registry);
        MetricsHistory history = new MetricsHistory(registry, List::of);
        history.sample(1);
        forecast[0] = 9;
        load[0] = 5;
        history.sample(2);
        Map<String, List<Double>> h = history.history("default", "hello-00001");
        assertThat(h.get("load")).containsExactly(4.0, 5.0);
        assertThat(h.get("forecast")).as("none until the option has history").containsExactly(null, 9.0);
    }

    @Test
    void metersOfOtherKindsAreNotSeries() {
        Gauge.builder("tide_replica_memory_bytes", () -> 1).tags(REV).register(registry);
        MetricsHistory history = new MetricsHistory(registry, List::of);
        history.sample(1);
        assertThat(history.history("default", "hello-00001").get("t")).isEmpty();
    }
}
