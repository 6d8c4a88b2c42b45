package dev.tide.autoscaler.simulation;

import dev.tide.autoscaler.AutoscalerSpec;
import dev.tide.autoscaler.KpaAutoscaler;
import dev.tide.autoscaler.Metric;
import dev.tide.autoscaler.Observation;
import dev.tide.autoscaler.RevisionAutoscaler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Replays load through a revision's {@link RevisionAutoscaler}, the one the server's scaling loop drives, decision
 * for decision, so a configuration can be tuned before it meets real traffic.
 *
 * <p>Two modes: {@link #trace} models the replicas (a new one is ready {@code startDelay} after the decision that
 * asked for it, a removed one is gone at once) and feeds each second's load as the server does; {@link #observed}
 * takes window averages already computed (as exported by a dashboard) and makes one decision per row.
 *
 * <p>The simulated clock starts at a fixed, two-second-aligned Unix second, so results do not depend on when the
 * simulation runs (Knative aligns the scale-down-delay buckets on wall-clock seconds).
 */
public final class Simulation {

    /** The simulated clock's origin: a whole, even Unix second. */
    public static final long ORIGIN_EPOCH_SECOND = 1_700_000_000L;
    private static final long NANOS = 1_000_000_000L;

    /**
     * @param readyAtStart replicas already ready at t=0 (the KPA starts in panic with more than one)
     * @param startDelay   how long a new replica takes to become ready
     */
    public record Setup(AutoscalerSpec spec, int readyAtStart, Duration startDelay) {
    }

    /**
     * One decision.
     *
     * @param desired  the published desired scale (-1 before the first valid decision), after the predictive lift
     * @param want     after bounds and scale-to-zero rules
     * @param forecast the predictive option's expected load, NaN without one
     */
    public record Row(long t, int ready, double observedStable, double observedPanic, int desired, boolean panic,
                      int excessBurstCapacity, int want, double forecast) {
    }

    /** A row of window averages, for {@link #observed}. */
    public record ObservedRow(long t, int ready, double stable, double panic) {
    }

    private Simulation() {
    }

    /**
     * Replays {@code load}: {@code load[t]} is what the revision saw in second {@code t}: concurrency or requests per
     * second per the spec's metric, and for the HPA class the total usage in percent of one replica's request (so
     * each ready replica's utilization is {@code load / ready}). Decisions come every 2 s, plus at once when load
     * arrives while no replica is ready (the activator's poke).
     */
    public static List<Row> trace(Setup setup, double[] load) {
        long delay = Math.max(0, setup.startDelay().toSeconds());
        RevisionAutoscaler scaler = RevisionAutoscaler.create(setup.spec(), setup.readyAtStart(), at(0));
        boolean rps = setup.spec().decider().metric() == Metric.RPS;
        int ready = setup.readyAtStart();
        Deque<Long> pending = new ArrayDeque<>(); // ready times, oldest first
        for (int i = setup.readyAtStart(); i < setup.spec().policy().initialScale(); i++) {
            pending.addLast(delay);
        }
        List<Row> rows = new ArrayList<>();
        for (int t = 0; t < load.length; t++) {
            while (!pending.isEmpty() && pending.peekFirst() <= t) {
                pending.removeFirst();
                ready++;
            }
            long second = ORIGIN_EPOCH_SECOND + t;
            boolean poke = ready == 0 && load[t] > 0 && scaler.poke(second);
            scaler.record(second, new RevisionAutoscaler.Load(rps ? 0 : load[t], rps ? load[t] : 0,
                    ready == 0 ? Double.NaN : load[t] / ready));
            if (t % 2 != 0 && !poke) {
                continue;
            }
            RevisionAutoscaler.Step step = scaler.decide(ready, ready + pending.size(), at(t));
            rows.add(row(t, ready, scaler, step));
            // Apply the replica count the autoscaler asked for.
            int target = step.applied().replicas();
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

    /**
     * One KPA decision per row of already-averaged metrics; replicas are taken from the rows, not modelled. The rows'
     * averages stand for the windows, so this mode is the KPA decider and the scale rules alone.
     */
    public static List<Row> observed(Setup setup, List<ObservedRow> input) {
        KpaAutoscaler scaler = new KpaAutoscaler(setup.spec(), setup.readyAtStart(), at(0));
        List<Row> rows = new ArrayList<>();
        for (ObservedRow r : input) {
            RevisionAutoscaler.Step step = scaler.decide(new Observation.Metrics(r.ready(), r.stable(), r.panic()), r.ready(), r.ready(), at(r.t()));
            rows.add(row(r.t(), r.ready(), scaler, step));
        }
        return rows;
    }

    private static RevisionAutoscaler.Now at(long t) {
        long nanos = (ORIGIN_EPOCH_SECOND + t) * NANOS;
        return new RevisionAutoscaler.Now(nanos, nanos);
    }

    private static Row row(long t, int ready, RevisionAutoscaler scaler, RevisionAutoscaler.Step step) {
        double stable = step.observation() instanceof Observation.Metrics m ? m.stable() : Double.NaN;
        double panic = step.observation() instanceof Observation.Metrics m ? m.panic() : Double.NaN;
        boolean panicking = scaler instanceof KpaAutoscaler k && k.panicking();
        int ebc = scaler instanceof KpaAutoscaler k ? k.excessBurstCapacity() : 0;
        return new Row(t, ready, stable, panic, step.desired(), panicking, ebc, step.applied().want(), step.forecast());
    }
}
