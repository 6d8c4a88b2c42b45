package dev.tide.controlplane.scaling;

import dev.tide.runtime.Replica;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Which replicas leave when a revision scales down: those not serving first (starting, not ready, crashed), then the
 * idlest (fewest requests in flight at the gateway), then the newest. Draining an idle replica ends at once; one with
 * requests keeps its slot until they finish (up to the revision's timeout), so picking idle ones frees capacity sooner.
 *
 * <p>Example: ready replicas r-1 (3 in flight), r-2 (0), r-3 (1) and a starting r-4, scaling by 2: r-4, then r-2.
 */
final class ScaleDownOrder {

    private ScaleDownOrder() {
    }

    /**
     * @param inFlight requests in flight on a replica, by id
     * @return the {@code count} replicas to stop, in the order to stop them
     */
    static List<Replica> victims(List<Replica> replicas, int count, ToIntFunction<String> inFlight) {
        List<Replica> order = new ArrayList<>(replicas);
        order.sort(Comparator.comparing(Replica::routable)
                .thenComparingInt(r -> r.routable() ? inFlight.applyAsInt(r.id()) : 0)
                .thenComparing(Replica::id, Comparator.reverseOrder()));
        return List.copyOf(order.subList(0, Math.max(0, Math.min(count, order.size()))));
    }
}
