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
 * last output), {@code Killing} (draining), {@code Stopped}. Listens to the runtime; never blocks (the recorder queues).
 */
public final class ReplicaEvents implements ReplicaRuntime.Listener {

    private final Registry registry;
    private final EventRecorder.Source events;
    /** Each live replica's last state and restart count. */
    private final Map<String, Replica> last = new ConcurrentHashMap<>();

    public ReplicaEvents(Registry registry, EventRecorder.Source events) {
        this.registry = registry;
        this.events = events;
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
        switch (r.state()) {
            // A restart's message is the same each time, so a crash loop is one event whose count grows.
            case STARTING -> events.normal(about, "Started", replica + (restarted ? " restarted" : " started"));
            case READY -> events.normal(about, "Ready", replica + " passed its readiness probe");
            case NOT_READY -> events.warning(about, "Unhealthy", replica + " failed its readiness probe: no new requests go to it");
            case CRASHED -> events.warning(about, "BackOff", replica + " exited; restarting it with back-off" + lastLine(r.lastOutput()));
            case STOPPED -> events.normal(about, "Stopped", replica + " stopped");
            case DRAINING -> events.normal(about, "Killing", replica + " is leaving: it takes no new request, then is signalled");
        }
    }

    private static String lastLine(List<String> output) {
        return output.isEmpty() ? "" : "; last output: " + output.get(output.size() - 1);
    }
}
