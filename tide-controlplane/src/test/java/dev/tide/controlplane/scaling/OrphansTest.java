package dev.tide.controlplane.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.runtime.Replica;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrphansTest {

    private static Replica replica(String id, String revision) {
        return new Replica(id, "default", revision, 8000, Replica.State.READY, 1, 0, List.of());
    }

    @Test
    void aReplicaWhoseRevisionStaysUnplannedForTheGraceIsStoppedAndOneWhosePlanArrivesIsKept() {
        Orphans o = new Orphans();
        List<Replica> both = List.of(replica("a", "gone-00001"), replica("b", "late-00001"));
        assertThat(o.toStop(both, r -> false, 0)).isEmpty();
        assertThat(o.toStop(both, r -> r.revision().equals("late-00001"), Orphans.GRACE_NANOS - 1)).isEmpty();
        assertThat(o.toStop(both, r -> r.revision().equals("late-00001"), Orphans.GRACE_NANOS)).containsExactly("a");
        // b's plan came in time; were it to go, its grace starts anew.
        assertThat(o.toStop(List.of(replica("b", "late-00001")), r -> false, Orphans.GRACE_NANOS + 1)).isEmpty();
        assertThat(o.toStop(List.of(replica("b", "late-00001")), r -> false, 2 * Orphans.GRACE_NANOS)).isEmpty();
        assertThat(o.toStop(List.of(replica("b", "late-00001")), r -> false, 2 * Orphans.GRACE_NANOS + 1)).containsExactly("b");
    }
}
