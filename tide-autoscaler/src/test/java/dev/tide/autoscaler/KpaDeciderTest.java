package dev.tide.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Section 2 of the autoscaler notes, decision by decision. Times start at a 2 s-aligned epoch second. */
class KpaDeciderTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_700_000_000L * SECOND;

    /** Knative's defaults with containerConcurrency 0: total 100, target 70, TBC 211, threshold 2, rates 1000/2. */
    static DeciderSpec spec() {
        return new DeciderSpec(Metric.CONCURRENCY, 70, 100, 211, 2.0, 1000, 2, Duration.ofSeconds(60),
                Duration.ofSeconds(6), Duration.ZERO, 0, 1, true);
    }

    static DeciderSpec spec(double target, double total, double tbc, double upRate, double downRate, int activation,
                            Duration delay, boolean reachable) {
        return new DeciderSpec(Metric.CONCURRENCY, target, total, tbc, 2.0, upRate, downRate, Duration.ofSeconds(60),
                Duration.ofSeconds(6), delay, activation, 1, reachable);
    }

    private static ScaleDecision.Scale scale(KpaDecider d, int ready, double stable, double panic, long now) {
        return (ScaleDecision.Scale) d.decide(new Observation.Metrics(ready, stable, panic), now);
    }

    @Test
    void workedExampleFromTheNotes() {
        KpaDecider d = new KpaDecider(spec(), 0, T0);
        ScaleDecision.Scale s = scale(d, 3, 150, 400, T0);
        assertThat(s).isEqualTo(new ScaleDecision.Scale(6, -311, true));
    }

    @Test
    void noDataChangesNothing() {
        KpaDecider d = new KpaDecider(spec(), 0, T0);
        assertThat(d.decide(new Observation.Missing("no data"), T0)).isInstanceOf(ScaleDecision.NoDecision.class);
        assertThat(d.desiredScale()).isEqualTo(-1);
        scale(d, 1, 70, 70, T0);
        assertThat(d.decide(new Observation.Missing("no data"), T0 + 2 * SECOND)).isInstanceOf(ScaleDecision.NoDecision.class);
        assertThat(d.desiredScale()).isEqualTo(1);
    }

    record Case(String name, DeciderSpec spec, int ready, double stable, double panic, int want) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> stableCases() {
        Duration none = Duration.ZERO;
        return Stream.of(
                new Case("exactly at target", spec(10, 10, 0, 1000, 2, 0, none, true), 1, 10, 10, 1),
                new Case("just above target", spec(10, 10, 0, 1000, 2, 0, none, true), 1, 10.1, 10.1, 2),
                new Case("idle scales to zero from one", spec(10, 10, 0, 1000, 2, 0, none, true), 1, 0, 0, 0),
                new Case("scale-down limited to half", spec(10, 10, 0, 1000, 2, 0, none, true), 10, 0, 0, 5),
                new Case("unreachable drops freely", spec(10, 10, 0, 1000, 2, 0, none, false), 10, 0, 0, 0),
                new Case("scale-up limited by rate", spec(1, 10, 0, 2, 2, 0, none, true), 1, 100, 1, 2),
                new Case("up rate 1.1 still adds a pod", spec(10, 10, 0, 1.1, 2, 0, none, true), 2, 100, 1, 3),
                new Case("activation scale lifts a non-zero count", spec(10, 10, 0, 1000, 2, 3, none, true), 0, 5, 5, 3),
                new Case("activation scale leaves zero alone", spec(10, 10, 0, 1000, 2, 3, none, true), 0, 0, 0, 0),
                new Case("rps is the same arithmetic", new DeciderSpec(Metric.RPS, 140, 200, 0, 2.0, 1000, 2,
                        Duration.ofSeconds(60), Duration.ofSeconds(6), Duration.ZERO, 0, 1, true), 2, 300, 300, 3));
    }

    @ParameterizedTest
    @MethodSource("stableCases")
    void stableDecisions(Case c) {
        KpaDecider d = new KpaDecider(c.spec(), 0, T0);
        assertThat(scale(d, c.ready(), c.stable(), c.panic(), T0).desired()).isEqualTo(c.want());
    }

    @Test
    void panicHoldsTheHighestDecisionForAStableWindowAfterTheLastSurge() {
        DeciderSpec s = spec(10, 10, 0, 1000, 2, 0, Duration.ZERO, true);
        KpaDecider d = new KpaDecider(s, 0, T0);
        // Panic window demands 4 pods with 1 ready: 4/1 >= 2.
        ScaleDecision.Scale first = scale(d, 1, 10, 40, T0);
        assertThat(first).isEqualTo(new ScaleDecision.Scale(4, 0, true));
        // Load gone, but in panic desired never decreases.
        long t = T0 + 2 * SECOND;
        assertThat(scale(d, 4, 5, 0, t).desired()).isEqualTo(4);
        // A second surge moves the hold: 12/4 = 3 >= 2.
        long surge = T0 + 30 * SECOND;
        assertThat(scale(d, 4, 10, 120, surge)).isEqualTo(new ScaleDecision.Scale(12, 0, true));
        // Exactly one stable window after the last surge: still panicking (the exit needs strictly later).
        assertThat(scale(d, 12, 10, 10, surge + 60 * SECOND)).isEqualTo(new ScaleDecision.Scale(12, 0, true));
        // Past it: panic ends and the same tick uses the stable count, rate-limited to half of 12.
        assertThat(scale(d, 12, 10, 10, surge + 62 * SECOND)).isEqualTo(new ScaleDecision.Scale(6, 0, false));
        // Leaving panic resets the ratchet: a later panic starts from scratch.
        assertThat(scale(d, 1, 0, 30, surge + 64 * SECOND)).isEqualTo(new ScaleDecision.Scale(3, 0, true));
    }

    @Test
    void panicUsesTheUnclampedCount() {
        // Up rate 1.5 with one pod caps panic pods at 2, but 4/1 >= 2 still enters panic.
        KpaDecider d = new KpaDecider(spec(10, 10, 0, 1.5, 2, 0, Duration.ZERO, true), 0, T0);
        assertThat(scale(d, 1, 10, 40, T0)).isEqualTo(new ScaleDecision.Scale(2, 0, true));
    }

    @Test
    void moreThanOneReadyPodAtCreationStartsInPanicHoldingTheSize() {
        KpaDecider d = new KpaDecider(spec(10, 10, 0, 1000, 2, 0, Duration.ZERO, true), 5, T0);
        assertThat(d.panicking()).isTrue();
        assertThat(scale(d, 5, 0, 0, T0 + 2 * SECOND)).isEqualTo(new ScaleDecision.Scale(5, 0, true));
        assertThat(scale(d, 5, 0, 0, T0 + 62 * SECOND)).isEqualTo(new ScaleDecision.Scale(2, 0, false));
        KpaDecider one = new KpaDecider(spec(10, 10, 0, 1000, 2, 0, Duration.ZERO, true), 1, T0);
        assertThat(one.panicking()).isFalse();
    }

    @Test
    void scaleDownDelayKeepsTheHighestRecentDecision() {
        KpaDecider d = new KpaDecider(spec(10, 10, 0, 1000, 1000, 0, Duration.ofMinutes(5), true), 0, 0);
        assertThat(scale(d, 1, 40, 10, 2 * SECOND).desired()).isEqualTo(4);
        assertThat(scale(d, 4, 0, 0, 300 * SECOND).desired()).isEqualTo(4);
        assertThat(scale(d, 4, 0, 0, 302 * SECOND).desired()).isZero();
    }

    @Test
    void scaleDownDelayIsNotAppliedWhileUnreachable() {
        KpaDecider d = new KpaDecider(spec(10, 10, 0, 1000, 1000, 0, Duration.ofMinutes(5), false), 0, 0);
        assertThat(scale(d, 1, 40, 10, 2 * SECOND).desired()).isEqualTo(4);
        assertThat(scale(d, 4, 0, 0, 4 * SECOND).desired()).isZero();
    }

    @Test
    void excessBurstCapacity() {
        assertThat(scale(new KpaDecider(spec(10, 10, 0, 1000, 2, 0, Duration.ZERO, true), 0, T0), 2, 5, 5, T0)
                .excessBurstCapacity()).as("TBC 0").isZero();
        assertThat(scale(new KpaDecider(spec(10, 10, -1, 1000, 2, 0, Duration.ZERO, true), 0, T0), 2, 5, 5, T0)
                .excessBurstCapacity()).as("TBC -1").isEqualTo(-1);
        assertThat(scale(new KpaDecider(spec(10, 10, 10, 1000, 2, 0, Duration.ZERO, true), 0, T0), 2, 5, 5.5, T0)
                .excessBurstCapacity()).as("floor(2 x 10 - 10 - 5.5)").isEqualTo(4);
        assertThat(scale(new KpaDecider(spec(10, 10, 10, 1000, 2, 0, Duration.ZERO, true), 0, T0), 0, 0, 0.5, T0)
                .excessBurstCapacity()).as("floor(0 - 10 - 0.5)").isEqualTo(-11);
    }

    @Test
    void initialExcessBurstCapacity() {
        DeciderSpec example = new DeciderSpec(Metric.CONCURRENCY, 20, 25, 42, 2, 1000, 2, Duration.ofSeconds(60),
                Duration.ofSeconds(6), Duration.ZERO, 0, 2, true);
        assertThat(new KpaDecider(example, 0, T0).excessBurstCapacity()).isEqualTo(8);
        assertThat(new KpaDecider(spec(), 0, T0).excessBurstCapacity()).isEqualTo(-111);
        assertThat(new KpaDecider(spec(), 0, T0).desiredScale()).isEqualTo(-1);
    }

    record Window(Duration stable, double percent, Duration want) {
        @Override
        public String toString() {
            return stable.toSeconds() + "s x " + percent + "%";
        }
    }

    static Stream<Window> panicWindows() {
        return Stream.of(new Window(Duration.ofSeconds(60), 10, Duration.ofSeconds(6)),
                new Window(Duration.ofSeconds(60), 51, Duration.ofSeconds(31)),
                new Window(Duration.ofSeconds(10), 10, Duration.ofSeconds(1)),
                new Window(Duration.ofSeconds(6), 1, Duration.ofSeconds(1)),
                new Window(Duration.ofSeconds(50), 25, Duration.ofSeconds(13)));
    }

    @ParameterizedTest
    @MethodSource("panicWindows")
    void panicWindowRounding(Window w) {
        assertThat(DeciderSpec.panicWindow(w.stable(), w.percent())).isEqualTo(w.want());
    }
}
