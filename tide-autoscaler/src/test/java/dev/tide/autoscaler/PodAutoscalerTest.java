package dev.tide.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.autoscaler.PodAutoscaler.Activity;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Section 2.8 and 2.9 of the autoscaler notes: bounds, initial scale, and the road to zero. */
class PodAutoscalerTest {

    private static final long S = 1_000_000_000L;

    private static ScalePolicy policy(int min, int max, int initial, boolean toZero, Duration retention) {
        return new ScalePolicy(min, max, initial, toZero, Duration.ofSeconds(60), Duration.ofSeconds(30), retention,
                Duration.ofSeconds(630));
    }

    @Test
    void boundsApplyInOrder() {
        PodAutoscaler pa = new PodAutoscaler(policy(2, 5, 1, true, Duration.ZERO), 0);
        assertThat(pa.apply(1, 0, 1, 1, true, 0).replicas()).as("raised to min").isEqualTo(2);
        assertThat(pa.apply(9, 0, 2, 2, true, S).replicas()).as("capped at max").isEqualTo(5);
        assertThat(pa.apply(3, 0, 5, 5, true, 2 * S)).extracting(PodAutoscaler.Applied::want, PodAutoscaler.Applied::replicas)
                .containsExactly(3, 3);
        assertThat(pa.apply(3, 0, 3, 3, true, 3 * S).replicas()).as("already there: no write").isEqualTo(-1);
        // Unreachable: min-scale 2 no longer applies, so a decision of 0 takes the scale-to-zero path, which keeps
        // one replica while the revision has been active for less than a stable window.
        assertThat(pa.apply(0, 0, 3, 3, false, 4 * S)).extracting(PodAutoscaler.Applied::want, PodAutoscaler.Applied::replicas)
                .containsExactly(1, 1);
    }

    @Test
    void initialScaleIsAFloorUntilFirstReached() {
        PodAutoscaler pa = new PodAutoscaler(policy(0, 0, 5, true, Duration.ZERO), 0);
        assertThat(pa.activity()).isEqualTo(Activity.ACTIVATING);
        assertThat(pa.apply(1, 0, 2, 5, true, S).want()).isEqualTo(5);
        assertThat(pa.apply(1, 0, 5, 5, true, 2 * S).want()).as("reached once: now it may go below").isEqualTo(5);
        assertThat(pa.activity()).isEqualTo(Activity.ACTIVE);
        assertThat(pa.apply(1, 0, 5, 5, true, 3 * S).replicas()).isEqualTo(1);
    }

    @Test
    void scaleToZeroWaitsForTheStableWindowThenTheGracePeriod() {
        PodAutoscaler pa = new PodAutoscaler(policy(0, 0, 1, true, Duration.ZERO), 0);
        pa.apply(1, 0, 1, 1, true, 0);
        assertThat(pa.activity()).isEqualTo(Activity.ACTIVE);
        // No traffic from second 10: while active for less than a stable window, keep one replica.
        PodAutoscaler.Applied waiting = pa.apply(0, 0, 1, 1, true, 10 * S);
        assertThat(waiting.want()).isEqualTo(1);
        assertThat(waiting.recheckNanos()).isEqualTo(60 * S);
        // Active for a stable window: want 0, the revision goes inactive, the replica stays for now.
        PodAutoscaler.Applied inactive = pa.apply(0, 0, 1, 1, true, 60 * S);
        assertThat(inactive.want()).isZero();
        assertThat(inactive.replicas()).isEqualTo(-1);
        assertThat(inactive.proxy()).isTrue();
        assertThat(pa.activity()).isEqualTo(Activity.INACTIVE);
        // The grace period after the activator took the path: then the last replica goes.
        assertThat(pa.apply(0, 0, 1, 1, true, 80 * S).replicas()).isEqualTo(-1);
        assertThat(pa.apply(0, 0, 1, 1, true, 90 * S).replicas()).isZero();
    }

    @Test
    void retentionKeepsTheLastReplicaLonger() {
        PodAutoscaler pa = new PodAutoscaler(policy(0, 0, 1, true, Duration.ofMinutes(5)), 0);
        pa.apply(1, 0, 1, 1, true, 0);
        pa.apply(0, 0, 1, 1, true, 60 * S);
        PodAutoscaler.Applied held = pa.apply(0, 0, 1, 1, true, 100 * S);
        assertThat(held.replicas()).isEqualTo(-1);
        assertThat(held.recheckNanos()).isEqualTo(360 * S);
        assertThat(pa.apply(0, 0, 1, 1, true, 360 * S).replicas()).isZero();
    }

    @Test
    void scaleToZeroDisabledKeepsOne() {
        PodAutoscaler pa = new PodAutoscaler(policy(0, 0, 1, false, Duration.ZERO), 0);
        assertThat(pa.apply(0, 0, 1, 3, true, 0)).extracting(PodAutoscaler.Applied::want, PodAutoscaler.Applied::replicas)
                .containsExactly(1, 1);
    }

    @Test
    void activationGivesUpAfterTheTimeout() {
        PodAutoscaler pa = new PodAutoscaler(policy(0, 0, 1, true, Duration.ZERO), 0);
        PodAutoscaler.Applied waiting = pa.apply(0, 0, 0, 1, true, 10 * S);
        assertThat(waiting.want()).isEqualTo(-1);
        assertThat(waiting.recheckNanos()).isEqualTo(630 * S);
        PodAutoscaler.Applied gaveUp = pa.apply(0, 0, 0, 1, true, 631 * S);
        assertThat(gaveUp.replicas()).isZero();
        assertThat(pa.activity()).isEqualTo(Activity.INACTIVE);
    }

    @Test
    void theActivatorLeavesThePathOnlyWithEnoughBurstCapacity() {
        PodAutoscaler pa = new PodAutoscaler(policy(0, 0, 1, true, Duration.ZERO), 0);
        assertThat(pa.apply(2, -5, 2, 2, true, 0).proxy()).isTrue();
        assertThat(pa.apply(2, 0, 2, 2, true, S).proxy()).isFalse();
    }

    @Test
    void zeroInitialScaleStartsInactive() {
        PodAutoscaler pa = new PodAutoscaler(policy(0, 0, 0, true, Duration.ZERO), 0);
        assertThat(pa.activity()).isEqualTo(Activity.INACTIVE);
        assertThat(pa.apply(1, 0, 0, 0, true, S).replicas()).isEqualTo(1);
        // Knative marks the revision initialized on this first reconcile (0 ready >= minReady 0) and reports it
        // inactive; from the next one minReady is 1 and a replica on its way makes it Activating.
        assertThat(pa.activity()).isEqualTo(Activity.INACTIVE);
        pa.apply(1, 0, 0, 1, true, 2 * S);
        assertThat(pa.activity()).isEqualTo(Activity.ACTIVATING);
        pa.apply(1, 0, 1, 1, true, 3 * S);
        assertThat(pa.activity()).isEqualTo(Activity.ACTIVE);
    }
}
