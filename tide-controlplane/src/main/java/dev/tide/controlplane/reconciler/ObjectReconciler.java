package dev.tide.controlplane.reconciler;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.ResourceType;
import dev.tide.controlplane.registry.Registry;
import java.time.InstantSource;

/** A reconciler of one kind that works on the stored object; an object deleted meanwhile needs nothing. */
public abstract class ObjectReconciler implements Reconciler {

    protected final Registry registry;
    protected final InstantSource clock;
    private final ResourceType type;

    protected ObjectReconciler(ResourceType type, Registry registry, InstantSource clock) {
        this.type = type;
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public final ResourceType type() {
        return type;
    }

    @Override
    public final void reconcile(String namespace, String name) {
        registry.get(type, namespace, name).ifPresent(this::reconcile);
    }

    /** Reconciles {@code obj}, a fresh copy of the stored object. */
    protected abstract void reconcile(ObjectNode obj);
}
