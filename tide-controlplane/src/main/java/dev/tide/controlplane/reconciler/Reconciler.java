package dev.tide.controlplane.reconciler;

import dev.tide.api.ResourceType;

/**
 * Drives one kind's objects toward their spec. Called on one thread at a time with the object's name; reads what
 * it needs from the registry, so a call after any change, or a repeated call, converges to the same state.
 */
public interface Reconciler {

    /** The kind this reconciler owns. */
    ResourceType type();

    /**
     * Reconciles the object, if it still exists.
     *
     * @throws RuntimeException to be retried later (a conflict with a concurrent write, typically)
     */
    void reconcile(String namespace, String name);
}
