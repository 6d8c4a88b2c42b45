package dev.tide.controlplane.scaling;

import dev.tide.runtime.Replica;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Replicas whose revision Tide no longer plans: pods a restarted Tide adopted for a revision deleted while it was
 * down, say. A replica is stopped once its revision has been unknown for {@link #GRACE_NANOS}, long enough for the
 * plans of every stored revision to arrive after a start. Pure, its time given; confined to the scaling thread.
 */
final class Orphans {

    /** 30 s. */
    static final long GRACE_NANOS = 30_000_000_000L;

    /** When each replica was first seen without a planned revision. */
    private final Map<String, Long> since = new HashMap<>();

    /**
     * @param replicas the runtime's replicas that are not leaving
     * @param planned  whether a replica's revision is planned
     * @return the replicas to stop now
     */
    List<String> toStop(List<Replica> replicas, Function<Replica, Boolean> planned, long nowNanos) {
        Set<String> present = new java.util.HashSet<>();
        List<String> out = new ArrayList<>();
        for (Replica r : replicas) {
            present.add(r.id());
            if (planned.apply(r)) {
                since.remove(r.id());
                continue;
            }
            long first = since.computeIfAbsent(r.id(), id -> nowNanos);
            if (nowNanos - first >= GRACE_NANOS) {
                out.add(r.id());
                since.remove(r.id());
            }
        }
        since.keySet().retainAll(present);
        return out;
    }
}
