package dev.tide.autoscaler;

/**
 * The HPA class ({@code hpa.autoscaling.knative.dev}, KServe's {@code scaleMetric: cpu|memory}): Kubernetes'
 * HorizontalPodAutoscaler over the replicas' CPU or memory in percent of their request, decided once per sync period
 * (15 s) from the mean utilization of the last {@value #USAGE_WINDOW_SECONDS} seconds (the window the kubelet and
 * metrics-server average CPU over), with HPA's tolerance and scale-down stabilization ({@link HpaDecider}). The
 * window is short so that a decision sees the replicas it made: averaging a whole sync period would mix the samples
 * from before the last scale-up into the next decision, and overshoot.
 *
 * <p>Bounds as Knative gives them to the HPA: at least {@code max(1, min-scale)} (an HPA never scales to zero),
 * at most {@code max-scale}, the initial scale until first reached. A revision no route sends traffic to is scaled to
 * zero (Knative leaves the HPA at its minimum of 1; Tide does not keep a replica that can receive no request). The
 * activator is in the path only while no replica is ready, so the first requests wait for one.
 *
 * <p>Without a request for the resource there is no percentage to take: no decision is made and the revision stays
 * at its initial (or minimum) size; the caller reports that as a condition.
 */
public final class HpaAutoscaler implements RevisionAutoscaler {

    private AutoscalerSpec spec;
    private final HpaDecider decider;
    private final PodAutoscaler pa;
    static final int USAGE_WINDOW_SECONDS = 10;

    /** The last seconds' utilization samples, a ring; NaN where none was taken. */
    private final double[] usage = new double[USAGE_WINDOW_SECONDS];
    private final long[] usageSecond = new long[USAGE_WINDOW_SECONDS];
    /** When the last decision was made (monotonic); {@code Long.MIN_VALUE} before the first. */
    private long lastSyncNanos = Long.MIN_VALUE;
    private int desired = -1;

    HpaAutoscaler(AutoscalerSpec spec, Now now) {
        this.spec = spec;
        AutoscalerSpec.Hpa h = spec.hpa();
        this.decider = new HpaDecider(h.targetPercent(), h.downscaleStabilization());
        this.pa = new PodAutoscaler(boundsOf(spec.policy()), now.monotonicNanos());
    }

    /** The KPA's policy with HPA's floor: never zero while routed. */
    private static ScalePolicy boundsOf(ScalePolicy p) {
        return new ScalePolicy(Math.max(1, p.minScale()), p.maxScale(), Math.max(1, p.initialScale()), false, p.stableWindow(),
                p.gracePeriod(), p.retentionPeriod(), p.activationTimeout());
    }

    @Override
    public void record(long epochSecond, Load load) {
        int slot = (int) Math.floorMod(epochSecond, (long) USAGE_WINDOW_SECONDS);
        usage[slot] = load.utilizationPercent();
        usageSecond[slot] = epochSecond;
    }

    @Override
    public boolean poke(long epochSecond) {
        return false;
    }

    @Override
    public Step decide(int readyPods, int currentReplicas, Now now) {
        boolean reachable = spec.decider().reachable();
        double utilization = meanUsage(now.epochSecond());
        Observation o = Double.isNaN(utilization) ? new Observation.Missing("no utilization sample")
                : new Observation.Metrics(readyPods, utilization, utilization);
        ScaleDecision decision;
        boolean due = lastSyncNanos == Long.MIN_VALUE || now.monotonicNanos() - lastSyncNanos >= spec.hpa().syncPeriod().toNanos();
        if (spec.hpa().request() <= 0) {
            decision = new ScaleDecision.NoDecision("the container requests no " + spec.metricName());
        } else if (!due) {
            decision = new ScaleDecision.NoDecision("next sync in " + (spec.hpa().syncPeriod().toNanos() - (now.monotonicNanos() - lastSyncNanos)) + " ns");
        } else if (o instanceof Observation.Missing m) {
            decision = new ScaleDecision.NoDecision(m.reason());
        } else {
            desired = decider.decide(currentReplicas, utilization, now.monotonicNanos());
            lastSyncNanos = now.monotonicNanos();
            decision = new ScaleDecision.Scale(desired, 0, false);
        }
        PodAutoscaler.Applied applied;
        if (!reachable) {
            applied = new PodAutoscaler.Applied(0, currentReplicas == 0 ? -1 : 0, -1, PodAutoscaler.Activity.INACTIVE, true);
        } else {
            // With no decision yet, the PA holds the initial scale (the HPA's floor) as it does for the KPA.
            applied = pa.apply(desired, readyPods > 0 ? 0 : -1, readyPods, currentReplicas, true, now.monotonicNanos());
        }
        return new Step(o, decision, desired, Double.NaN, applied);
    }

    /** The mean of the samples of the last {@value #USAGE_WINDOW_SECONDS} seconds up to {@code nowSecond}; NaN if none. */
    private double meanUsage(long nowSecond) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < USAGE_WINDOW_SECONDS; i++) {
            if (usageSecond[i] > nowSecond - USAGE_WINDOW_SECONDS && usageSecond[i] <= nowSecond && !Double.isNaN(usage[i])) {
                sum += usage[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    @Override
    public void update(AutoscalerSpec next) {
        spec = next;
    }

    @Override
    public AutoscalerSpec spec() {
        return spec;
    }

    @Override
    public PodAutoscaler.Activity activity() {
        return spec.decider().reachable() ? pa.activity() : PodAutoscaler.Activity.INACTIVE;
    }
}
