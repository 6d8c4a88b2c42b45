package dev.tide.dataplane.balancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Section 4.3 of the autoscaler notes: the policy follows containerConcurrency. */
class BalancerTest {

    private static List<ReplicaSlots> replicas(int n, int capacity) {
        return IntStream.range(0, n).mapToObj(i -> new ReplicaSlots("r" + i, capacity)).toList();
    }

    @Test
    void policyByContainerConcurrency() {
        assertThat(Balancer.forContainerConcurrency(0, new SplittableRandom(1))).isInstanceOf(Balancer.PowerOfTwoChoices.class);
        assertThat(Balancer.forContainerConcurrency(1, new SplittableRandom(1))).isInstanceOf(Balancer.FirstAvailable.class);
        assertThat(Balancer.forContainerConcurrency(3, new SplittableRandom(1))).isInstanceOf(Balancer.FirstAvailable.class);
        assertThat(Balancer.forContainerConcurrency(4, new SplittableRandom(1))).isInstanceOf(Balancer.RoundRobin.class);
    }

    @Test
    void firstAvailableFillsReplicasInOrder() {
        List<ReplicaSlots> rs = replicas(3, 2);
        Balancer b = new Balancer.FirstAvailable();
        assertThat(IntStream.range(0, 6).mapToObj(i -> b.pick(rs).id()).toList()).containsExactly("r0", "r0", "r1", "r1", "r2", "r2");
        assertThat(b.pick(rs)).as("all full").isNull();
        rs.get(1).release();
        assertThat(b.pick(rs).id()).isEqualTo("r1");
    }

    @Test
    void roundRobinRotatesAndSkipsFullReplicas() {
        List<ReplicaSlots> rs = replicas(3, 4);
        Balancer b = new Balancer.RoundRobin();
        assertThat(IntStream.range(0, 4).mapToObj(i -> b.pick(rs).id()).toList()).containsExactly("r0", "r1", "r2", "r0");
        for (int i = 0; i < 3; i++) {
            rs.get(1).tryAcquire();
        }
        assertThat(IntStream.range(0, 3).mapToObj(i -> b.pick(rs).id()).toList()).as("r1 is full").containsExactly("r2", "r0", "r2");
    }

    @Test
    void powerOfTwoChoicesPrefersTheLessLoaded() {
        List<ReplicaSlots> rs = replicas(2, 0);
        for (int i = 0; i < 5; i++) {
            rs.get(0).tryAcquire();
        }
        Balancer b = new Balancer.PowerOfTwoChoices(new SplittableRandom(42));
        assertThat(b.pick(rs).id()).isEqualTo("r1");
    }

    @Test
    void powerOfTwoChoicesSpreadsLoadEvenly() {
        List<ReplicaSlots> rs = replicas(4, 0);
        Balancer b = new Balancer.PowerOfTwoChoices(new SplittableRandom(7));
        for (int i = 0; i < 4000; i++) {
            b.pick(rs);
        }
        // Never releasing, each pick goes to the less loaded of two: the spread stays within a couple of requests.
        int min = rs.stream().mapToInt(ReplicaSlots::inFlight).min().orElseThrow();
        int max = rs.stream().mapToInt(ReplicaSlots::inFlight).max().orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(3);
    }
}
