package dev.tide.controlplane.scaling;

import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.events.EventRecorder;
import dev.tide.controlplane.registry.Registry;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a replica's state changes into Events on its revision, as the kubelet reports a pod's: {@code Started},
 * {@code Ready}, {@code Unhealthy} (readiness probe failing), {@code BackOff} (crashed, to be restarted, with its
 * last output), {@code OOMKilled} (killed at its memory limit, to be restarted), {@code Killing} (draining),
 * {@code Stopped}. Listens to the runtime; never blocks (the recorder queues).
 */
public final class ReplicaEvents implements ReplicaRuntime.Listener {

    private final Registry registry;
    private final EventRecorder.Source events;
    /** The replica's pod, for the same events on it as the kubelet reports them ({@code kubectl describe pod}); may be empty. */
    private final java.util.function.Function<String, java.util.Optional<EventRecorder.Reference>> pods;
    /** Each live replica's last state and restart count. */
    private final Map<String, Replica> last = new ConcurrentHashMap<>();
    /** Each live replica's pod, kept for its last event (the pod is gone by then). */
    private final Map<String, EventRecorder.Reference> podOf = new ConcurrentHashMap<>();

    public ReplicaEvents(Registry registry, EventRecorder.Source events) {
        this(registry, events, id -> java.util.Optional.empty());
    }

    /** @param pods a replica's pod by replica id; listen after the pods' view, so a new replica has its pod */
    public ReplicaEvents(Registry registry, EventRecorder.Source events,
                         java.util.function.Function<String, java.util.Optional<EventRecorder.Reference>> pods) {
        this.registry = registry;
        this.events = events;
        this.pods = pods;
    }

    @Override
    public void changed(Replica r) {
        Replica before = r.state() == Replica.State.STOPPED ? last.remove(r.id()) : last.put(r.id(), r);
        boolean restarted = before != null && r.restarts() > before.restarts();
        if (before != null && before.state() == r.state() && !restarted) {
            return;
        }
        EventRecorder.Reference about = registry.get(ResourceTypes.REVISION, r.namespace(), r.revision()).map(EventRecorder.Reference::of)
                .orElse(new EventRecorder.Reference(ResourceTypes.REVISION.apiVersion(), ResourceTypes.REVISION.kind(), r.namespace(),
                        r.revision(), ""));
        String replica = "replica " + r.id();
        EventRecorder.Reference pod = r.state() == Replica.State.STOPPED ? podOf.remove(r.id())
                : podOf.computeIfAbsent(r.id(), id -> pods.apply(id).orElse(null));
        for (EventRecorder.Reference on : pod == null ? java.util.List.of(about) : java.util.List.of(about, pod)) {
            String who = on == pod ? "container" : replica;
            switch (r.state()) {
                // A restart's message is the same each time, so a crash loop is one event whose count grows.
                case STARTING -> events.normal(on, "Started", who + (restarted ? " restarted" : " started"));
                // The scheduler's reason and words, as kubectl describe shows them for a pod it cannot place.
                case PENDING -> events.warning(on, "FailedScheduling", who + " cannot be placed" + lastLine(r.lastOutput()));
                case READY -> events.normal(on, "Ready", who + " passed its readiness probe");
                case NOT_READY -> events.warning(on, "Unhealthy", who + " failed its readiness probe: no new requests go to it");
                case CRASHED -> crashed(on, who, r);
                case STOPPED -> events.normal(on, "Stopped", who + " stopped");
                case DRAINING -> events.normal(on, "Killing", who + " is leaving: it takes no new request, then is signalled");
            }
        }
    }

    /** An OOM kill is named as such (the pod's last state says OOMKilled too); any other exit is a back-off. */
    private void crashed(EventRecorder.Reference on, String who, Replica r) {
        Replica.Termination t = r.lastTermination();
        if (t != null && Replica.Termination.OOM_KILLED.equals(t.reason())) {
            events.warning(on, "OOMKilled", who + " was OOMKilled (" + t.message() + "); restarting it with back-off");
        } else {
            events.warning(on, "BackOff", who + " exited; restarting it with back-off" + lastLine(r.lastOutput()));
        }
    }

    private static String lastLine(List<String> output) {
        return output.isEmpty() ? "" : "; last output: " + output.get(output.size() - 1);
    }
}
