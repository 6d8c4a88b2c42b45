package dev.tide.dataplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.dataplane.routing.RevisionKey;
import dev.tide.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RevisionEndpointTest {

    private final ManualScheduler scheduler = new ManualScheduler();
    private final AtomicInteger pokes = new AtomicInteger();
    private final RevisionEndpoint endpoint = new RevisionEndpoint(new RevisionKey("default", "r-00001"), 2, false, Duration.ofSeconds(60),
            scheduler, new SplittableRandom(1), pokes::incrementAndGet);

    @Test
    void aColdRevisionPokesTheAutoscalerOncePerColdPeriod() {
        for (int i = 0; i < 1000; i++) {
            endpoint.arrived();
        }
        assertThat(pokes.get()).as("a thousand queued requests, one poke").isEqualTo(1);
        endpoint.setReplicas(List.of(new RevisionEndpoint.Backend("r-00001-1", 9000)));
        endpoint.arrived();
        assertThat(pokes.get()).as("warm: no poke").isEqualTo(1);
        endpoint.setReplicas(List.of());
        endpoint.arrived();
        endpoint.arrived();
        assertThat(pokes.get()).as("cold again: one more").isEqualTo(2);
    }

    @Test
    void theGateFollowsReadyReplicas() {
        assertThat(endpoint.gate().capacity()).isZero();
        endpoint.setReplicas(List.of(new RevisionEndpoint.Backend("a", 1), new RevisionEndpoint.Backend("b", 2)));
        assertThat(endpoint.gate().capacity()).as("containerConcurrency 2 x 2 replicas").isEqualTo(4);
        endpoint.setReplicas(List.of());
        assertThat(endpoint.gate().capacity()).isZero();
    }
}
