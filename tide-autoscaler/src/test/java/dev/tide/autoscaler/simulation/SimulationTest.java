package dev.tide.autoscaler.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.autoscaler.DeciderSpec;
import dev.tide.autoscaler.Metric;
import dev.tide.autoscaler.ScalePolicy;
import dev.tide.autoscaler.AutoscalerSpec;
import dev.tide.autoscaler.simulation.Simulation.Row;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scenario tests: minutes of simulated traffic through the real decider, windows and scale rules. */
class SimulationTest {

    /** Seed 004's service: target 1 concurrent request per replica, utilization 100%. */
    private static DeciderSpec target1(Duration stable) {
        return new DeciderSpec(Metric.CONCURRENCY, 1, 1, 0, 2.0, 1000, 2, stable,
                DeciderSpec.panicWindow(stable, 10), Duration.ZERO, 0, 1, true);
    }

    private static ScalePolicy policy(int max) {
        return new ScalePolicy(0, max, 1, true, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(630));
    }

    private static Simulation.Setup setup(DeciderSpec spec, ScalePolicy policy, AutoscalerSpec.Predictive predictive) {
        return new Simulation.Setup(new AutoscalerSpec("kpa.autoscaling.knative.dev", "concurrency", spec, policy, "linear", predictive, null),
                0, Duration.ofSeconds(2));
    }

    private static double[] load(int seconds, java.util.function.IntToDoubleFunction f) {
        double[] l = new double[seconds];
        Arrays.setAll(l, f::applyAsDouble);
        return l;
    }

    private static Row at(List<Row> rows, long t) {
        return rows.stream().filter(r -> r.t() == t).findFirst().orElseThrow(() -> new AssertionError("no decision at t=" + t));
    }

    @Test
    void stepUpPanicsToFiveThenScalesToZeroAfterWindowAndGrace() {
        int loadEnds = 60;
        List<Row> rows = Simulation.trace(setup(target1(Duration.ofSeconds(60)), policy(0), null),
                load(300, t -> t < loadEnds ? 5 : 0));
        assertThat(at(rows, 0).panic()).as("5 in flight, none ready: panic at once").isTrue();
        assertThat(at(rows, 0).want()).isEqualTo(5);
        assertThat(rows.stream().mapToInt(Row::want).max().orElseThrow()).as("never more than the load asks").isEqualTo(5);
        assertThat(at(rows, 10).ready()).isEqualTo(5);
        // The panic hold ends a stable window after the last over-threshold tick, which was before replicas were ready.
        long lastOver = rows.stream().filter(r -> r.observedPanic() / Math.max(1, r.ready()) >= 2).mapToLong(Row::t).max().orElseThrow();
        assertThat(rows.stream().filter(r -> r.t() > lastOver + 60 + 2).allMatch(r -> !r.panic())).isTrue();
        // The stable window holds the last busy second until loadEnds - 1 + 60; the first tick after that decides 0.
        long quiet = loadEnds - 1 + 60;
        long firstZeroTick = quiet % 2 == 0 ? quiet : quiet + 1;
        Row zero = rows.stream().filter(r -> r.desired() == 0).findFirst().orElseThrow();
        assertThat(zero.t()).isEqualTo(firstZeroTick);
        assertThat(zero.want()).as("active for over a stable window: goes inactive at once").isZero();
        // The last replica goes after the grace period, and stays gone.
        assertThat(at(rows, firstZeroTick + 28).ready()).isEqualTo(1);
        assertThat(rows.stream().filter(r -> r.t() >= firstZeroTick + 32).allMatch(r -> r.ready() == 0)).isTrue();
    }

    @Test
    void spikeIsMetByPanicAndHeldForAStableWindow() {
        List<Row> rows = Simulation.trace(setup(target1(Duration.ofSeconds(60)), policy(0), null),
                load(240, t -> t >= 100 && t < 104 ? 20 : 2));
        assertThat(at(rows, 98).want()).isEqualTo(2);
        assertThat(at(rows, 98).panic()).isFalse();
        Row spike = at(rows, 102);
        assertThat(spike.panic()).isTrue();
        assertThat(spike.want()).isGreaterThanOrEqualTo(10);
        int peak = rows.stream().mapToInt(Row::want).max().orElseThrow();
        // In panic the decision never goes down: from the peak until panic ends, want stays at the peak.
        long peakAt = rows.stream().filter(r -> r.want() == peak).findFirst().orElseThrow().t();
        assertThat(rows.stream().filter(r -> r.t() >= peakAt && r.panic()).allMatch(r -> r.want() == peak)).isTrue();
        assertThat(rows.stream().filter(r -> r.t() >= peakAt && r.t() <= 160).allMatch(Row::panic)).isTrue();
        assertThat(at(rows, 238).panic()).isFalse();
        assertThat(at(rows, 238).want()).as("back to the steady load (its window still remembers the spike)").isBetween(2, 3);
    }

    @Test
    void rampIsFollowedWithThePanicRatchetAndTheLaggingStableCount() {
        List<Row> rows = Simulation.trace(setup(target1(Duration.ofSeconds(60)), policy(0), null), load(240, t -> t / 8.0));
        for (int i = 1; i < rows.size(); i++) {
            Row prev = rows.get(i - 1);
            Row r = rows.get(i);
            if (prev.panic() && r.panic()) {
                assertThat(r.desired()).as("no decrease in panic, t=%d", r.t()).isGreaterThanOrEqualTo(prev.desired());
            }
            if (!r.panic()) {
                // Outside panic the stable window decides (the down rate may only hold it higher).
                assertThat(r.desired()).as("stable count at t=%d", r.t()).isGreaterThanOrEqualTo((int) Math.ceil(r.observedStable() - 1e-9));
            }
        }
        assertThat(rows.stream().anyMatch(Row::panic)).as("replicas lag a ramp, so the panic window fires").isTrue();
        Row end = rows.get(rows.size() - 1);
        assertThat(end.ready()).as("capacity follows the ramp (load ends near 30)").isGreaterThan(15);
    }

    @Test
    void maxScaleBoundsWantButNotDesired() {
        List<Row> rows = Simulation.trace(setup(target1(Duration.ofSeconds(60)), policy(3), null), load(60, t -> 10));
        assertThat(rows.stream().mapToInt(Row::desired).max().orElseThrow()).isEqualTo(10);
        assertThat(rows.stream().mapToInt(Row::want).max().orElseThrow()).isEqualTo(3);
        assertThat(rows.stream().mapToInt(Row::ready).max().orElseThrow()).isEqualTo(3);
    }

    @Test
    void trafficAtZeroPokesADecisionWithoutWaitingForTheTick() {
        List<Row> rows = Simulation.trace(setup(target1(Duration.ofSeconds(6)), policy(0), null),
                load(200, t -> t == 151 ? 1 : 0));
        assertThat(at(rows, 150).desired()).isZero();
        assertThat(at(rows, 151).desired()).as("an odd second: the activator's poke").isEqualTo(1);
    }

    @Test
    void predictionScalesAheadOfADailyBurst() {
        long day = 86_400;
        long nineOClock = 9 * 3600;
        int days = 4;
        double[] trace = load((int) (days * day), t -> {
            long s = t % day;
            return s >= nineOClock && s < nineOClock + 600 ? 50 : 0;
        });
        DeciderSpec spec = target1(Duration.ofSeconds(60));
        List<Row> plain = Simulation.trace(setup(spec, policy(0), null), trace);
        List<Row> predicted = Simulation.trace(setup(spec, policy(0), new AutoscalerSpec.Predictive(7, Duration.ofMinutes(2))), trace);
        long beforeBurst = 3 * day + nineOClock - 60; // 08:59 on day 4
        assertThat(at(plain, beforeBurst).want()).isZero();
        assertThat(at(predicted, beforeBurst).want()).isEqualTo(50);
        assertThat(at(predicted, beforeBurst + 58).ready()).as("ready before the burst").isEqualTo(50);
        assertThat(at(predicted, 3 * day + 12 * 3600).want()).as("no burst at noon: nothing added").isZero();
        assertThat(at(predicted, nineOClock - 60).want()).as("day 1 has no history to learn from").isZero();
    }

    @Test
    void observedRowsReplayTheWorkedExample() {
        DeciderSpec defaults = new DeciderSpec(Metric.CONCURRENCY, 70, 100, 211, 2.0, 1000, 2, Duration.ofSeconds(60),
                Duration.ofSeconds(6), Duration.ZERO, 0, 1, true);
        List<Row> rows = Simulation.observed(setup(defaults, policy(0), null),
                List.of(new Simulation.ObservedRow(0, 3, 150, 400), new Simulation.ObservedRow(0, 3, 150, 100)));
        assertThat(rows.get(0)).isEqualTo(new Row(0, 3, 150, 400, 6, true, -311, 6, Double.NaN));
        assertThat(rows.get(1).desired()).as("rows may share a t; panic holds").isEqualTo(6);
    }

    @Test
    void hpaClassScalesOnUtilizationEverySyncPeriodAndStabilizesScaleDown() {
        // Target 50% of the request; the load is total usage in percent of one replica's request.
        AutoscalerSpec hpa = new AutoscalerSpec("hpa.autoscaling.knative.dev", "cpu", target1(Duration.ofSeconds(60)),
                new ScalePolicy(0, 10, 1, true, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(630)),
                "linear", null, new AutoscalerSpec.Hpa(AutoscalerSpec.Resource.CPU, 50, 1, AutoscalerSpec.Hpa.SYNC_PERIOD,
                Duration.ofMinutes(5)));
        // 200% of one request for 2 minutes (4 replicas at 50%), then 40%.
        List<Row> rows = Simulation.trace(new Simulation.Setup(hpa, 0, Duration.ofSeconds(2)), load(900, t -> t < 120 ? 200 : 40));
        assertThat(at(rows, 0).want()).as("the initial scale, no decision yet").isEqualTo(1);
        long lastChange = Long.MIN_VALUE / 2;
        for (int i = 1; i < rows.size(); i++) {
            if (rows.get(i).want() != rows.get(i - 1).want()) {
                assertThat(rows.get(i).t() - lastChange).as("one decision per sync period, t=%d", rows.get(i).t()).isGreaterThanOrEqualTo(15);
                lastChange = rows.get(i).t();
            }
        }
        assertThat(at(rows, 118).want()).as("ceil(1 x 200/50) = 4, reached within two syncs").isEqualTo(4);
        assertThat(rows.stream().mapToInt(Row::want).min().orElseThrow()).as("an HPA never scales to zero").isEqualTo(1);
        // Usage drops to 40% of one request at t=120 (10% per replica): stabilization holds 4 replicas for 5 minutes.
        assertThat(at(rows, 120 + 290).want()).isEqualTo(4);
        assertThat(at(rows, 120 + 330).want()).as("after the stabilization window: ceil(4 x 10/50) = 1").isEqualTo(1);
        assertThat(rows.stream().allMatch(r -> !r.panic())).isTrue();
    }
}
