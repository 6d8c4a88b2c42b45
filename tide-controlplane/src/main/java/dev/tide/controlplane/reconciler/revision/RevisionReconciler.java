package dev.tide.controlplane.reconciler.revision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.reconciler.Propagation;
import dev.tide.controlplane.reconciler.ObjectReconciler;
import dev.tide.controlplane.reconciler.StatusUpdates;
import dev.tide.controlplane.registry.Registry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/** Knative Revision: reports what the runtime says of it, in Knative's conditions and replica counts. */
public final class RevisionReconciler extends ObjectReconciler {

    static final String RESOURCES_AVAILABLE = "ResourcesAvailable";
    static final String CONTAINER_HEALTHY = "ContainerHealthy";
    /** Whether the revision has replicas; not part of Ready (a revision at zero is ready to serve). */
    static final String ACTIVE = "Active";

    private final RevisionRuntime runtime;

    public RevisionReconciler(Registry registry, InstantSource clock, RevisionRuntime runtime) {
        super(ResourceTypes.REVISION, registry, clock);
        this.runtime = runtime;
    }

    @Override
    protected void reconcile(ObjectNode rev) {
        StatusUpdates.publish(registry, ResourceTypes.REVISION, rev, status(rev, runtime, clock.instant()));
    }

    /** Pure: the revision's status given the runtime's view of it. */
    static ObjectNode status(JsonNode rev, RevisionRuntime runtime, Instant now) {
        ObjectNode status = rev.path("status").isObject() ? (ObjectNode) rev.get("status").deepCopy() : Json.object();
        status.put("observedGeneration", Meta.generation(rev));
        RevisionRuntime.State state = rev.path("spec").path("containers").isEmpty()
                ? new RevisionRuntime.State(Conditions.FALSE, "ContainerMissing",
                        "spec.containers is empty: the revision has nothing to run", 0, 0)
                : runtime.state(rev);
        Conditions.set(status, RESOURCES_AVAILABLE, state.ready(), state.reason(), state.message(), "", now);
        Conditions.set(status, CONTAINER_HEALTHY, state.ready(), state.reason(), state.message(), "", now);
        Propagation.readyFrom(status, List.of(RESOURCES_AVAILABLE, CONTAINER_HEALTHY), now);
        Propagation.unsupportedAnnotations(status, Meta.annotations(rev), runtime.onPods(rev), now);
        runtime.notes(rev).forEach(n -> Conditions.set(status, n.type(), n.status(), n.reason(), n.message(), n.severity(), now));
        if (state.active() == null) {
            Conditions.remove(status, ACTIVE);
        } else {
            switch (state.active()) {
                case Conditions.TRUE -> Conditions.set(status, ACTIVE, Conditions.TRUE, null, null, "", now);
                case Conditions.FALSE -> Conditions.set(status, ACTIVE, Conditions.FALSE, "NoTraffic",
                        "The target is not receiving traffic.", "Info", now);
                default -> Conditions.set(status, ACTIVE, Conditions.UNKNOWN, "Activating", "The revision is scaling up from zero.",
                        "Info", now);
            }
        }
        if (state.actualReplicas() != null) {
            status.put("actualReplicas", state.actualReplicas());
        }
        if (state.desiredReplicas() != null) {
            status.put("desiredReplicas", state.desiredReplicas());
        }
        return status;
    }
}
