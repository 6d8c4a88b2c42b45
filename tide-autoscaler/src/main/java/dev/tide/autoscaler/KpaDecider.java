package dev.tide.autoscaler;

import dev.tide.autoscaler.window.MaxWindow;


/**
 * Knative's per-revision KPA decider: from the stable and panic averages and the ready pod count, how many
 * replicas the revision should have, whether it is panicking, and its excess burst capacity.
 *
 * <p>Times are nanoseconds since the Unix epoch, passed in: the scale-down-delay buckets are aligned on wall-clock
 * seconds, as in Knative.
 *
 * <p>Not thread-safe: one revision's decider is ticked by one thread.
 */
public final class KpaDecider {

    private DeciderSpec spec;
    /** Created once, from the delay at creation; like Knative's, a later spec change does not recreate it. */
    private final MaxWindow delayWindow;
    /** When the last over-threshold tick happened; {@code Long.MIN_VALUE} when not in panic. */
    private long panicStartNanos = Long.MIN_VALUE;
    /** While panicking, the largest decision so far: desired never decreases during panic. */
    private int maxPanicPods;
    private int desiredScale;
    private int excessBurstCapacity;

    /**
     * @param readyAtCreation ready replicas when the decider is created: with more than one, it starts in panic,
     *                        holding the current size for a stable window (metric history was lost with the old
     *                        decider, so shrinking on a cold window would be a guess)
     */
    public KpaDecider(DeciderSpec spec, int readyAtCreation, long nowNanos) {
        this.spec = spec;
        this.delayWindow = spec.scaleDownDelay().isZero() ? null : new MaxWindow(spec.scaleDownDelay());
        this.maxPanicPods = readyAtCreation;
        if (readyAtCreation > 1) {
            panicStartNanos = nowNanos;
        }
        this.desiredScale = -1;
        this.excessBurstCapacity = initialExcessBurstCapacity(spec);
    }

    /**
     * Before any decision: the TBC itself when it is 0 or -1, else {@code trunc(initialScale x total - TBC)}
     * (toward zero). Worked example: initial scale 2, total 25, TBC 42 gives 8; the defaults (1 x 100 - 211) give
     * -111, so the activator starts in the path.
     */
    static int initialExcessBurstCapacity(DeciderSpec spec) {
        double tbc = spec.targetBurstCapacity();
        if (tbc == 0 || tbc == -1) {
            return (int) tbc;
        }
        return (int) (spec.initialScale() * spec.totalValue() - tbc);
    }

    /** Replaces the spec; the scale-down-delay window keeps the length it was created with. */
    public void update(DeciderSpec next) {
        this.spec = next;
    }

    public DeciderSpec spec() {
        return spec;
    }

    /** The last published desired scale; -1 until the first valid tick. */
    public int desiredScale() {
        return desiredScale;
    }

    public int excessBurstCapacity() {
        return excessBurstCapacity;
    }

    public boolean panicking() {
        return panicStartNanos != Long.MIN_VALUE;
    }

    /**
     * One tick, in Knative's order. An observation without data changes nothing.
     *
     * <p>Worked example (section 2.10 of the notes), defaults with containerConcurrency 0: total 100, target 70,
     * TBC 211, threshold 2. Three ready pods, stable 150, panic 400: raw stable = ceil(150/70) = 3, raw panic =
     * ceil(400/70) = 6; the up limit is 3000 and the down limit floor(3/2) = 1; 6/3 = 2 >= 2, so panic; desired =
     * max(3, 6) = 6; EBC = floor(3 x 100 - 211 - 400) = -311, so the activator stays in the path.
     */
    public ScaleDecision decide(Observation observation, long nowNanos) {
        if (!(observation instanceof Observation.Metrics m)) {
            return new ScaleDecision.NoDecision(((Observation.Missing) observation).reason());
        }
        int ready = m.readyPods();
        double target = spec.targetValue();

        // 1-3: rate limits from max(1, ready); an unreachable revision may drop to anything.
        int readyOrOne = Math.max(1, ready);
        int upLimit = (int) Math.ceil(spec.maxScaleUpRate() * readyOrOne);
        int downLimit = spec.reachable() ? (int) Math.floor(readyOrOne / spec.maxScaleDownRate()) : 0;

        // 4-5: raw counts, then clamped into [down, up].
        int rawStable = (int) Math.ceil(m.stable() / target);
        int rawPanic = (int) Math.ceil(m.panic() / target);
        int stablePods = Math.min(Math.max(rawStable, downLimit), upLimit);
        int panicPods = Math.min(Math.max(rawPanic, downLimit), upLimit);

        // 6: activation scale lifts non-zero counts to the smallest non-zero size.
        if (spec.activationScale() > 1) {
            if (rawStable > 0 && stablePods < spec.activationScale()) {
                stablePods = spec.activationScale();
            }
            if (rawPanic > 0 && panicPods < spec.activationScale()) {
                panicPods = spec.activationScale();
            }
        }

        // 7-8: panic on the unclamped panic count against max(1, ready); each over-threshold tick restarts the hold.
        boolean over = rawPanic / (double) readyOrOne >= spec.panicThreshold();
        if (over) {
            panicStartNanos = nowNanos;
        } else if (panicking() && panicStartNanos + spec.stableWindow().toNanos() < nowNanos) {
            panicStartNanos = Long.MIN_VALUE;
            maxPanicPods = 0;
        }

        // 9: in panic, the larger count, never decreasing.
        int desired = stablePods;
        if (panicking()) {
            desired = Math.max(stablePods, panicPods);
            maxPanicPods = Math.max(maxPanicPods, desired);
            desired = maxPanicPods;
        }

        // 10: scale-down delay, a sliding maximum, only while reachable.
        if (spec.reachable() && delayWindow != null) {
            delayWindow.record(Math.floorDiv(nowNanos, 1_000_000_000L), desired);
            desired = delayWindow.current();
        }

        // 11: excess burst capacity from the raw ready count and the panic-window load.
        double tbc = spec.targetBurstCapacity();
        int ebc;
        if (tbc == 0) {
            ebc = 0;
        } else if (tbc > 0) {
            ebc = (int) Math.floor(ready * spec.totalValue() - tbc - m.panic());
        } else {
            ebc = -1;
        }
        desiredScale = desired;
        excessBurstCapacity = ebc;
        return new ScaleDecision.Scale(desired, ebc, panicking());
    }

}
