package dev.tide.controlplane.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.controlplane.registry.Registry;
import java.util.Optional;

/** The compare-and-apply step shared by reconcilers that own child objects. */
public final class Children {

    /** Thrown when a child's name is taken by an object another owner controls. */
    public static final class NotOwned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotOwned(ResourceType type, String name) {
            super("there is an existing " + type.kind() + " \"" + name + "\" that we do not own", null, false, false);
        }
    }

    private Children() {
    }

    /**
     * Makes the stored child match {@code desired} (built by a pure {@code resources} function, with its owner
     * reference set): creates it when missing, otherwise writes desired labels, annotations and spec over it. A child
     * that already matches is not written, so calling this on every pass is cheap and quiet.
     *
     * @throws NotOwned when an object of that name exists but {@code owner} does not control it
     */
    public static ObjectNode ensure(Registry registry, ResourceType type, ObjectNode desired, JsonNode owner) {
        String namespace = Meta.namespace(desired);
        String name = Meta.name(desired);
        Optional<ObjectNode> existing = registry.get(type, namespace, name);
        if (existing.isEmpty()) {
            return registry.create(type, namespace, desired).object();
        }
        ObjectNode current = existing.get();
        if (!GarbageCollector.ownedBy(current, Meta.uid(owner))) {
            throw new NotOwned(type, name);
        }
        ObjectNode next = current.deepCopy();
        ObjectNode meta = Meta.metadata(next);
        ObjectNode desiredMeta = Meta.metadata(desired);
        for (String f : new String[] {"labels", "annotations"}) {
            if (desiredMeta.has(f)) {
                meta.set(f, desiredMeta.get(f));
            } else {
                meta.remove(f);
            }
        }
        next.set("spec", desired.get("spec"));
        if (next.equals(current)) {
            // Not even a no-op write: that would go through admission and, if the child's status moved on since the
            // read, fail as a conflict and retry the owner for nothing (429 times in 1,000 Services applied at once).
            return current;
        }
        return registry.update(type, namespace, name, next, Meta.resourceVersion(current)).object();
    }
}
