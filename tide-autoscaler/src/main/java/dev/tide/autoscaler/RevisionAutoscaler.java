package dev.tide.autoscaler;

/**
 * One revision's autoscaler, whatever its class: the server's scaling loop and {@code tide simulate} both drive
 * revisions through this, so a simulation is the server's behaviour by construction.
 *
 * <p>The caller records each second's load, calls {@link #decide} on its tick (every 2 s, as Knative's autoscaler)
 * and applies the replica count of the returned step. The class decides how often it really recomputes: the KPA on
 * every call, the HPA once per sync period (15 s), holding its decision between.
 *
 * <p>Not thread-safe: one revision's autoscaler is driven by one thread.
 */
public sealed interface RevisionAutoscaler permits KpaAutoscaler, HpaAutoscaler {

    /**
     * One second of the revision's load.
     *
     * @param concurrency        time-weighted average requests in flight, revision-wide
     * @param requestsPerSecond  arrivals in that second, revision-wide
     * @param utilizationPercent mean usage of the ready replicas in percent of their request of the HPA's resource;
     *                           {@link Double#NaN} when unknown (no ready replica, no sample)
     */
    record Load(double concurrency, double requestsPerSecond, double utilizationPercent) {
    }

    /**
     * The clock, read once per step.
     *
     * @param epochNanos     wall clock: Knative aligns its windows on wall-clock seconds
     * @param monotonicNanos for durations (grace periods, stabilization), immune to clock steps
     */
    record Now(long epochNanos, long monotonicNanos) {
        public long epochSecond() {
            return Math.floorDiv(epochNanos, 1_000_000_000L);
        }
    }

    /**
     * One decision and what it asks of the runtime.
     *
     * @param observation what the decider saw: the KPA's window averages, the HPA's mean utilization (in both fields)
     * @param decision    the decider's outcome ({@link ScaleDecision.NoDecision} when it had no data or was not due)
     * @param desired     the published desired scale after the predictive lift, before bounds (-1: none yet)
     * @param forecast    the predictive option's expected load {@code lead} ahead; {@link Double#NaN} without one
     */
    record Step(Observation observation, ScaleDecision decision, int desired, double forecast, PodAutoscaler.Applied applied) {
    }

    /** A new revision's autoscaler; {@code readyPods} are already ready (a restart), which the KPA holds for a window. */
    static RevisionAutoscaler create(AutoscalerSpec spec, int readyPods, Now now) {
        return spec.hpa() != null ? new HpaAutoscaler(spec, now) : new KpaAutoscaler(spec, readyPods, now);
    }

    /** Records one second's load. */
    void record(long epochSecond, Load load);

    /**
     * A request reached the revision while no replica was ready (the activator's poke). Returns whether to decide now
     * rather than at the next tick: the KPA records the request at once (as Knative's activator sends one stat) when
     * its last decision was zero; the HPA has nothing to learn from one request.
     */
    boolean poke(long epochSecond);

    /**
     * Decides.
     *
     * @param readyPods       ready replicas now
     * @param currentReplicas replicas asked of the runtime now
     */
    Step decide(int readyPods, int currentReplicas, Now now);

    /** A changed spec (a cluster setting, reachability); windows and state carry over. */
    void update(AutoscalerSpec spec);

    AutoscalerSpec spec();

    PodAutoscaler.Activity activity();
}
