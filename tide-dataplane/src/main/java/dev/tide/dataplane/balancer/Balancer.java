package dev.tide.dataplane.balancer;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Picks the replica for a request and takes one of its slots, with Knative's activator policies, chosen by
 * {@code containerConcurrency}:
 * <ul>
 *   <li>0 (unlimited): power of two random choices, the one of two random replicas with fewer requests in flight
 *       (ties broken at random);</li>
 *   <li>1 to 3: first available, in the replicas' order, so small-capacity replicas fill one by one;</li>
 *   <li>4 and more: round robin from after the last pick, skipping full replicas.</li>
 * </ul>
 * Returns {@code null} when every replica is full: the caller waits for a slot (the breaker in front makes that rare).
 */
public sealed interface Balancer permits Balancer.PowerOfTwoChoices, Balancer.FirstAvailable, Balancer.RoundRobin {

    /** Picks a replica from {@code replicas} (sorted by id) and takes a slot on it, or returns {@code null}. */
    ReplicaSlots pick(List<ReplicaSlots> replicas);

    static Balancer forContainerConcurrency(int containerConcurrency, RandomGenerator random) {
        if (containerConcurrency == 0) {
            return new PowerOfTwoChoices(random);
        }
        return containerConcurrency <= 3 ? new FirstAvailable() : new RoundRobin();
    }

    /** Unlimited replicas: the less loaded of two picked at random. */
    final class PowerOfTwoChoices implements Balancer {
        private final RandomGenerator random;

        public PowerOfTwoChoices(RandomGenerator random) {
            this.random = random;
        }

        @Override
        public ReplicaSlots pick(List<ReplicaSlots> replicas) {
            int n = replicas.size();
            if (n == 0) {
                return null;
            }
            ReplicaSlots chosen;
            if (n == 1) {
                chosen = replicas.get(0);
            } else {
                int a = random.nextInt(n);
                int b = random.nextInt(n - 1);
                if (b >= a) {
                    b++; // two distinct replicas
                }
                ReplicaSlots x = replicas.get(a);
                ReplicaSlots y = replicas.get(b);
                int cmp = Integer.compare(x.inFlight(), y.inFlight());
                chosen = cmp < 0 || (cmp == 0 && random.nextBoolean()) ? x : y;
            }
            return chosen.tryAcquire() ? chosen : null;
        }
    }

    /** Small capacity: the first replica with a free slot. */
    final class FirstAvailable implements Balancer {
        @Override
        public ReplicaSlots pick(List<ReplicaSlots> replicas) {
            for (ReplicaSlots r : replicas) {
                if (r.tryAcquire()) {
                    return r;
                }
            }
            return null;
        }
    }

    /**
     * Larger capacity: round robin. Threading: the position is a hint read and written without a lock; a race only
     * shifts where the next scan starts.
     */
    final class RoundRobin implements Balancer {
        private volatile int next;

        @Override
        public ReplicaSlots pick(List<ReplicaSlots> replicas) {
            int n = replicas.size();
            int start = next >= n ? 0 : next;
            for (int i = 0; i < n; i++) {
                int idx = (start + i) % n;
                ReplicaSlots r = replicas.get(idx);
                if (r.tryAcquire()) {
                    next = idx + 1;
                    return r;
                }
            }
            return null;
        }
    }
}
