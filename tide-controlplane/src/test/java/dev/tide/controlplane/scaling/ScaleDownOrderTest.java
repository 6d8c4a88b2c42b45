package dev.tide.controlplane.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.runtime.Replica;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which replicas a scale-down stops. */
class ScaleDownOrderTest {

    private static Replica replica(String id, Replica.State state) {
        return new Replica(id, "default", "hello-00001", 8000, state, 100, 0, List.of());
    }

    private static List<String> ids(List<Replica> rs) {
        return rs.stream().map(Replica::id).toList();
    }

    @Test
    void notServingFirstThenIdlestThenNewest() {
        List<Replica> replicas = List.of(replica("r-1", Replica.State.READY), replica("r-2", Replica.State.READY),
                replica("r-3", Replica.State.READY), replica("r-4", Replica.State.STARTING), replica("r-5", Replica.State.READY));
        Map<String, Integer> inFlight = Map.of("r-1", 3, "r-2", 0, "r-3", 1, "r-5", 0);
        assertThat(ids(ScaleDownOrder.victims(replicas, 2, id -> inFlight.getOrDefault(id, 0)))).containsExactly("r-4", "r-5");
        assertThat(ids(ScaleDownOrder.victims(replicas, 4, id -> inFlight.getOrDefault(id, 0))))
                .containsExactly("r-4", "r-5", "r-2", "r-3");
        // The busiest replica is the last to go, even though it is the oldest.
        assertThat(ids(ScaleDownOrder.victims(replicas, 5, id -> inFlight.getOrDefault(id, 0))).getLast()).isEqualTo("r-1");
        assertThat(ScaleDownOrder.victims(replicas, 0, id -> 0)).isEmpty();
        assertThat(ScaleDownOrder.victims(replicas, 9, id -> 0)).hasSize(5);
    }
}
