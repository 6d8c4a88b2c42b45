package dev.tide.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One runtime over two places: a spec with a command runs on this machine, one with only an image on the cluster, as
 * {@code Placement} decided when the revision was planned. Each replica is then the runtime's that started it.
 */
public final class PlacedRuntime implements ReplicaRuntime {

    private final ReplicaRuntime local;
    private final ReplicaRuntime cluster;
    /** Which runtime each replica is on, from its start until it is reported stopped. */
    private final Map<String, ReplicaRuntime> owner = new ConcurrentHashMap<>();

    public PlacedRuntime(ReplicaRuntime local, ReplicaRuntime cluster) {
        this.local = local;
        this.cluster = cluster;
        Listener forget = r -> {
            if (r.state() == Replica.State.STOPPED) {
                owner.remove(r.id());
            }
        };
        local.addListener(forget);
        cluster.addListener(forget);
    }

    @Override
    public Replica start(ReplicaSpec spec) {
        ReplicaRuntime on = spec.command().isEmpty() ? cluster : local;
        Replica r = on.start(spec);
        owner.put(r.id(), on);
        return r;
    }

    @Override
    public void stop(String replicaId) {
        ownerOf(replicaId).stop(replicaId);
    }

    /**
     * The runtime a replica is on: the one that started it, else (a replica a runtime found rather than started, such
     * as a pod an earlier Tide made) the one that lists it.
     */
    private ReplicaRuntime ownerOf(String replicaId) {
        ReplicaRuntime on = owner.get(replicaId);
        if (on != null) {
            return on;
        }
        boolean clusters = cluster.replicas().stream().anyMatch(r -> r.id().equals(replicaId));
        return clusters ? cluster : local;
    }

    @Override
    public List<Replica> replicas() {
        List<Replica> all = new ArrayList<>(local.replicas());
        all.addAll(cluster.replicas());
        all.sort((a, b) -> a.id().compareTo(b.id()));
        return all;
    }

    @Override
    public void addListener(Listener listener) {
        local.addListener(listener);
        cluster.addListener(listener);
    }

    @Override
    public Output output(String replicaId, long fromLine) {
        return ownerOf(replicaId).output(replicaId, fromLine);
    }

    @Override
    public Output awaitOutput(String replicaId, long fromLine, Duration timeout) throws InterruptedException {
        return ownerOf(replicaId).awaitOutput(replicaId, fromLine, timeout);
    }

    @Override
    public void shutdown(Duration timeout) {
        // Both at once: each drains its own replicas within the same time.
        Thread other = Thread.ofVirtual().start(() -> cluster.shutdown(timeout));
        local.shutdown(timeout);
        try {
            other.join(timeout.plusSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
