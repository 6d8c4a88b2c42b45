package dev.tide.controlplane.reconciler.revision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Conditions;

/**
 * What the revision reconciler needs to know from whatever runs replicas (local processes, Kubernetes pods):
 * declared here, where it is used, and implemented by the runtime modules, so the control plane depends on no
 * runtime.
 */
@FunctionalInterface
public interface RevisionRuntime {

    /**
     * The serving state of a revision.
     *
     * @param ready           {@code True}, {@code False} or {@code Unknown}
     * @param reason          a CamelCase reason when not ready
     * @param message         what a user should read when not ready
     * @param actualReplicas  ready replicas, or {@code null} when unknown
     * @param desiredReplicas replicas asked for, or {@code null} when unknown
     * @param active          Knative's Active condition: {@code True} while scaled up, {@code False} (NoTraffic) at zero,
     *                        {@code Unknown} while activating, or {@code null} when the runtime does not say
     */
    record State(String ready, String reason, String message, Integer actualReplicas, Integer desiredReplicas, String active) {

        public State(String ready, String reason, String message, Integer actualReplicas, Integer desiredReplicas) {
            this(ready, reason, message, actualReplicas, desiredReplicas, null);
        }
    }

    State state(JsonNode revision);

    /**
     * A condition beside Ready that says how the runtime runs the revision (such as the user its replicas run as).
     *
     * @param severity {@code Info} or {@code Warning}: never part of Ready
     */
    record Note(String type, String status, String reason, String message, String severity) {
    }

    /** Whether the revision's replicas are Pods on a cluster, which carry its annotations; false by default. */
    default boolean onPods(JsonNode revision) {
        return false;
    }

    /** The runtime's notes on the revision (conditions beside Ready), none by default. */
    default java.util.List<Note> notes(JsonNode revision) {
        return java.util.List.of();
    }

    /** No runtime yet: revisions are stored and reported as not served, never as failed. */
    static RevisionRuntime none() {
        return revision -> new State(Conditions.UNKNOWN, "NoRuntime",
                "no replica runtime serves revisions in this Tide yet; the revision is stored and will run once one does",
                null, null);
    }
}
