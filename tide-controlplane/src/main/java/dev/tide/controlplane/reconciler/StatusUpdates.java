package dev.tide.controlplane.reconciler;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.ResourceType;
import dev.tide.controlplane.registry.Registry;
import java.time.Instant;

/** How reconcilers publish what they computed: only a status that changed is written (each write is an fsync). */
public final class StatusUpdates {

    private StatusUpdates() {
    }

    /** Writes {@code status} onto {@code obj} if it differs from the stored one. */
    public static void publish(Registry registry, ResourceType type, ObjectNode obj, ObjectNode status) {
        if (!status.equals(obj.get("status"))) {
            obj.set("status", status);
            registry.updateStatus(type, obj);
        }
    }

    /** Marks {@code obj} not ready ({@code Ready=False}) for a reason the user must act on. */
    public static void fail(Registry registry, ResourceType type, ObjectNode obj, String reason, String message, Instant now) {
        ObjectNode status = obj.path("status").isObject() ? (ObjectNode) obj.get("status").deepCopy() : obj.objectNode();
        status.put("observedGeneration", dev.tide.api.Meta.generation(obj));
        Conditions.set(status, Conditions.READY, Conditions.FALSE, reason, message, "", now);
        publish(registry, type, obj, status);
    }
}
