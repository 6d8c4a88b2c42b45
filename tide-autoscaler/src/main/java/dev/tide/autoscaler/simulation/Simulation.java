package dev.tide.autoscaler.simulation;

import dev.tide.autoscaler.DeciderSpec;
import dev.tide.autoscaler.KpaDecider;
import dev.tide.autoscaler.Metric;
import dev.tide.autoscaler.Observation;
import dev.tide.autoscaler.PodAutoscaler;
import dev.tide.autoscaler.RevisionMetrics;
import dev.tide.autoscaler.ScaleDecision;
import dev.tide.autoscaler.ScalePolicy;
import dev.tide.autoscaler.SeasonalForecast;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Replays load through the autoscaler, decision for decision as the server makes them, so a configuration can be
 * tuned before it meets real traffic.
 *
 * <p>Two modes: {@link #trace} models the replicas (a new one is ready {@code startDelay} after the decision that
 * asked for it, a removed one is gone at once) and feeds each second's load through the metric windows; {@link
 * #observed} takes window averages already computed (as exported by a dashboard) and makes one decision per row.
 *
 * <p>The simulated clock starts at a fixed, two-second-aligned Unix second, so results do not depend on when the
 * simulation runs (Knative aligns the scale-down-delay buckets on wall-clock seconds).
 */
public final class Simulation {

    /** The simulated clock's origin: a whole, even Unix second. */
    public static final long ORIGIN_EPOCH_SECOND = 1_700_000_000L;
    private static final long NANOS = 1_000_000_000L;

    /**
     * @param aggregation  {@code linear} or {@code weighted-exponential}
     * @param readyAtStart replicas already ready at t=0 (the decider starts in panic with more than one)
     * @param startDelay   how long a new replica takes to become ready
     * @param scraped      whether replicas are scraped (TBC other than -1): decides the "no data" rule
     * @param forecast     the predictive option, or {@code null}
     */
    public record Setup(DeciderSpec spec, ScalePolicy policy, String aggregation, int readyAtStart, Duration startDelay,
                        boolean scraped, SeasonalForecast forecast) {
    }

    /**
     * One decision.
     *
     * @param desired the decider's published desired scale (-1 before the first valid decision)
     * @param want    after bounds and scale-to-zero rules
     */
    public record Row(long t, int ready, double observedStable, double observedPanic, int desired, boolean panic,
                      int excessBurstCapacity, int want) {
    }

    /** A row of window averages, for {@link #observed}. */
    public record ObservedRow(long t, int ready, double stable, double panic) {
    }

    private Simulation() {
    }

    /**
     * Replays {@code load}: {@code load[t]} is the revision-wide concurrency (or requests per second, per the spec's
     * metric) observed in second {@code t}. Decisions come every 2 s, plus at once when load arrives while the
     * last decision was 0 (the activator's poke).
     */
    public static List<Row> trace(Setup setup, double[] load) {
        DeciderSpec spec = setup.spec();
        long delay = Math.max(0, setup.startDelay().toSeconds());
        RevisionMetrics metrics = new RevisionMetrics(setup.aggregation(), spec.stableWindow(), spec.panicWindow());
        KpaDecider decider = new KpaDecider(spec, setup.readyAtStart(), ORIGIN_EPOCH_SECOND * NANOS);
        PodAutoscaler pa = new PodAutoscaler(setup.policy(), ORIGIN_EPOCH_SECOND * NANOS);
        int ready = setup.readyAtStart();
        Deque<Long> pending = new ArrayDeque<>(); // ready times, oldest first
        for (int i = setup.readyAtStart(); i < setup.policy().initialScale(); i++) {
            pending.addLast(delay);
        }
        List<Row> rows = new ArrayList<>();
        for (int t = 0; t < load.length; t++) {
            while (!pending.isEmpty() && pending.peekFirst() <= t) {
                pending.removeFirst();
                ready++;
            }
            long second = ORIGIN_EPOCH_SECOND + t;
            boolean concurrency = spec.metric() == Metric.CONCURRENCY;
            metrics.record(second, concurrency ? load[t] : 0, concurrency ? 0 : load[t]);
            if (setup.forecast() != null) {
                setup.forecast().record(second, load[t]);
            }
            boolean poke = t % 2 != 0 && load[t] > 0 && decider.desiredScale() == 0;
            if (t % 2 != 0 && !poke) {
                continue;
            }
            Observation o = metrics.observe(spec.metric(), ready, setup.scraped(), second);
            Step step = decide(setup, decider, pa, o, t, ready, ready + pending.size());
            rows.add(step.row());
            // Apply the replica count the autoscaler asked for.
            int target = step.replicas();
            if (target >= 0) {
                int current = ready + pending.size();
                for (int i = current; i < target; i++) {
                    pending.addLast(t + delay);
                }
                for (int i = target; i < current; i++) {
                    if (!pending.isEmpty()) {
                        pending.removeLast();
                    } else {
                        ready--;
                    }
                }
                while (!pending.isEmpty() && pending.peekFirst() <= t) {
                    pending.removeFirst();
                    ready++;
                }
            }
        }
        return rows;
    }

    /** One decision per row of already-averaged metrics; replicas are taken from the rows, not modelled. */
    public static List<Row> observed(Setup setup, List<ObservedRow> input) {
        KpaDecider decider = new KpaDecider(setup.spec(), setup.readyAtStart(), ORIGIN_EPOCH_SECOND * NANOS);
        PodAutoscaler pa = new PodAutoscaler(setup.policy(), ORIGIN_EPOCH_SECOND * NANOS);
        List<Row> rows = new ArrayList<>();
        for (ObservedRow r : input) {
            rows.add(decide(setup, decider, pa, new Observation.Metrics(r.ready(), r.stable(), r.panic()), r.t(), r.ready(), r.ready()).row());
        }
        return rows;
    }

    /** A decision's row and the replica count it asks of the runtime (-1: leave as is). */
    private record Step(Row row, int replicas) {
    }

    private static Step decide(Setup setup, KpaDecider decider, PodAutoscaler pa, Observation o, long t, int ready, int current) {
        long now = (ORIGIN_EPOCH_SECOND + t) * NANOS;
        ScaleDecision d = decider.decide(o, now);
        int desired = decider.desiredScale();
        if (setup.forecast() != null && desired >= 0) {
            desired = setup.forecast().lift(desired, ORIGIN_EPOCH_SECOND + t, setup.spec().targetValue());
        }
        PodAutoscaler.Applied applied = pa.apply(desired, decider.excessBurstCapacity(), ready, current, setup.spec().reachable(), now);
        double stable = o instanceof Observation.Metrics m ? m.stable() : Double.NaN;
        double panic = o instanceof Observation.Metrics m ? m.panic() : Double.NaN;
        boolean panicking = d instanceof ScaleDecision.Scale s ? s.panicking() : decider.panicking();
        return new Step(new Row(t, ready, stable, panic, desired, panicking, decider.excessBurstCapacity(), applied.want()),
                applied.replicas());
    }
}
