package dev.tide.autoscaler;

import java.time.Duration;

/**
 * Applies a revision's decisions as Knative's KPA reconciler does: min/max/initial scale, then the scale-to-zero
 * path through the Active, Inactive and Activating states, and what the revision reports.
 *
 * <p>Tide's activator runs in the same process as the autoscaler, so the probe that Knative makes before taking the
 * last replica away ("is the activator answering for this revision?") always succeeds here.
 *
 * <p>Not thread-safe: one revision's autoscaler is driven by one thread. Times are nanoseconds from any fixed origin.
 */
public final class PodAutoscaler {

    /** The revision's activity, Knative's PodAutoscaler {@code Active} condition. */
    public enum Activity { ACTIVE, ACTIVATING, INACTIVE }

    /**
     * What to do after a reconcile.
     *
     * @param want         the scale the autoscaler wants (-1: none decided yet)
     * @param replicas     the replica count to set, or -1 to leave replicas alone
     * @param recheckNanos when to reconcile again even without a new decision, or -1
     * @param proxy        whether the activator should be in the request path
     */
    public record Applied(int want, int replicas, long recheckNanos, Activity activity, boolean proxy) {
    }

    private final ScalePolicy policy;
    private Activity activity;
    private long activitySinceNanos;
    /** When the activator last went into the path; -1 when it is not. */
    private long proxySinceNanos = -1;
    /** Whether the revision has once reached its initial (or minimum) size. */
    private boolean initialized;

    /** A new revision: Activating (created with its initial scale), or Inactive when that is 0. */
    public PodAutoscaler(ScalePolicy policy, long nowNanos) {
        this.policy = policy;
        this.activity = policy.initialScale() == 0 ? Activity.INACTIVE : Activity.ACTIVATING;
        this.activitySinceNanos = nowNanos;
        if (activity == Activity.INACTIVE) {
            proxySinceNanos = nowNanos;
        }
    }

    public Activity activity() {
        return activity;
    }

    /**
     * Applies the published decision.
     *
     * @param desired         the decider's desired scale (-1 before its first decision)
     * @param excessBurst     the decider's excess burst capacity
     * @param readyPods       ready replicas now
     * @param currentReplicas replicas asked of the runtime now
     * @param reachable       whether a route sends traffic to the revision
     */
    public Applied apply(int desired, int excessBurst, int readyPods, int currentReplicas, boolean reachable, long nowNanos) {
        int want;
        int replicas = -1;
        long recheck = -1;
        if (desired < 0 && activity != Activity.ACTIVATING) {
            want = desired;
        } else {
            // Bounds: min (ignored while unreachable), initial scale until first reached, max.
            int min = reachable ? policy.minScale() : 0;
            if (policy.initialScale() > 1 && !initialized && reachable) {
                min = Math.max(min, policy.initialScale());
            }
            int bounded = desired < min ? min : policy.maxScale() != 0 && desired > policy.maxScale() ? policy.maxScale() : desired;
            if (bounded != 0) {
                want = bounded;
                replicas = bounded;
            } else if (!policy.enableScaleToZero()) {
                want = 1;
                replicas = 1;
            } else {
                long inState = nowNanos - activitySinceNanos;
                switch (activity) {
                    case ACTIVATING -> {
                        if (inState > policy.activationTimeout().toNanos()) {
                            want = 0;
                            replicas = 0;
                        } else {
                            want = -1;
                            recheck = activitySinceNanos + policy.activationTimeout().toNanos();
                        }
                    }
                    case ACTIVE -> {
                        long stable = policy.stableWindow().toNanos();
                        if (inState >= stable) {
                            want = 0; // goes Inactive below; the last replica stays until the grace rules allow
                        } else {
                            want = 1;
                            replicas = 1;
                            recheck = activitySinceNanos + stable;
                        }
                    }
                    default -> {
                        long retention = reachable ? policy.retentionPeriod().toNanos() : 0;
                        long grace = policy.gracePeriod().toNanos();
                        want = 0;
                        if (inState >= Math.max(grace, retention)) {
                            replicas = 0;
                        } else if (retention > 0 && inState < retention) {
                            recheck = activitySinceNanos + retention;
                        } else {
                            long proxyFor = proxySinceNanos < 0 ? 0 : nowNanos - proxySinceNanos;
                            if (grace - proxyFor <= 0) {
                                replicas = 0;
                            } else {
                                recheck = nowNanos + grace - proxyFor;
                            }
                        }
                    }
                }
            }
        }
        if (replicas == currentReplicas) {
            replicas = -1;
        }
        updateActivity(want, readyPods, reachable, nowNanos);
        // The activator leaves the path only with replicas wanted and enough burst capacity.
        boolean proxy = !(want > 0 && excessBurst >= 0);
        if (proxy && proxySinceNanos < 0) {
            proxySinceNanos = nowNanos;
        } else if (!proxy) {
            proxySinceNanos = -1;
        }
        return new Applied(want, replicas, recheck, activity, proxy);
    }

    /**
     * Knative's Active condition: with {@code minReady} the initial scale before the revision was first ready and
     * {@code max(min, 1)} after, a revision is Inactive when nothing is wanted, Activating while short of
     * {@code minReady}, Active once it has them.
     */
    private void updateActivity(int want, int ready, boolean reachable, long nowNanos) {
        int min = reachable ? policy.minScale() : 0;
        int minReady = initialized ? Math.max(min, 1) : Math.max(min, policy.initialScale());
        if (ready >= minReady) {
            initialized = true; // with initial scale 0 at once, as in Knative: minReady is then max(min, 1)
        }
        Activity next;
        if (want == 0 || minReady == 0) {
            next = Activity.INACTIVE;
        } else if (ready < minReady) {
            next = want > 0 || activity != Activity.INACTIVE ? Activity.ACTIVATING : Activity.INACTIVE;
        } else {
            next = want > 0 || activity != Activity.INACTIVE ? Activity.ACTIVE : activity;
        }
        if (next != activity) {
            activity = next;
            activitySinceNanos = nowNanos;
        }
    }

    /** For tests and status: how long the revision has been in its current activity. */
    public Duration inActivityFor(long nowNanos) {
        return Duration.ofNanos(nowNanos - activitySinceNanos);
    }
}
