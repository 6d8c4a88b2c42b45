package dev.tide.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One change, as a Kubernetes watch reports it.
 *
 * @param object          the object after the change (for {@code DELETED}, its last state); shared and read-only
 * @param resourceVersion the store's version after the change
 */
public record WatchEvent(Type type, ObjectKey key, ObjectNode object, long resourceVersion) {

    public enum Type { ADDED, MODIFIED, DELETED }
}
