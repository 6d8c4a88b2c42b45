package dev.tide.controlplane.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.registry.ApiException;
import dev.tide.controlplane.registry.Registry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deletes the children of a deleted object, as Kubernetes' garbage collector does with background propagation:
 * an owner reference's {@code uid} names the owner, so a new object of the same name never adopts the old
 * children.
 */
final class GarbageCollector {

    /** Which kinds can own which. */
    private static final Map<ResourceType, List<ResourceType>> CHILDREN = Map.of(
            ResourceTypes.INFERENCE_SERVICE, List.of(ResourceTypes.SERVICE),
            ResourceTypes.SERVICE, List.of(ResourceTypes.CONFIGURATION, ResourceTypes.ROUTE),
            ResourceTypes.CONFIGURATION, List.of(ResourceTypes.REVISION));

    private final Registry registry;

    GarbageCollector(Registry registry) {
        this.registry = registry;
    }

    /** Deletes the children of {@code owner}, which was just deleted; their own deletions cascade further. */
    void deleted(ResourceType type, JsonNode owner) {
        String uid = Meta.uid(owner);
        for (ResourceType childType : CHILDREN.getOrDefault(type, List.of())) {
            for (ObjectNode child : registry.list(childType, Meta.namespace(owner)).items()) {
                if (ownedBy(child, uid)) {
                    delete(childType, child);
                }
            }
        }
    }

    /** At start-up: deletes children whose owner went away while Tide was down. */
    void collectOrphans() {
        Set<String> live = new HashSet<>();
        for (ResourceType owner : CHILDREN.keySet()) {
            registry.list(owner, null).items().forEach(o -> live.add(Meta.uid(o)));
        }
        for (List<ResourceType> kinds : CHILDREN.values()) {
            for (ResourceType childType : kinds) {
                for (ObjectNode child : registry.list(childType, null).items()) {
                    JsonNode refs = child.path("metadata").path("ownerReferences");
                    if (!refs.isEmpty() && !live.contains(refs.get(0).path("uid").asText())) {
                        delete(childType, child);
                    }
                }
            }
        }
    }

    private void delete(ResourceType type, ObjectNode child) {
        try {
            registry.delete(type, Meta.namespace(child), Meta.name(child));
        } catch (ApiException alreadyGone) {
            // Deleted by someone else in the meantime: the goal is reached.
        }
    }

    static boolean ownedBy(JsonNode child, String uid) {
        for (JsonNode ref : child.path("metadata").path("ownerReferences")) {
            if (uid != null && uid.equals(ref.path("uid").asText())) {
                return true;
            }
        }
        return false;
    }
}
