package dev.tide.store;

/**
 * Identifies a stored object.
 *
 * @param resource  the group-qualified resource, e.g. {@code services.serving.knative.dev}
 * @param namespace the namespace
 * @param name      the object's name
 */
public record ObjectKey(String resource, String namespace, String name) implements Comparable<ObjectKey> {

    @Override
    public int compareTo(ObjectKey o) {
        int c = resource.compareTo(o.resource);
        if (c == 0) {
            c = namespace.compareTo(o.namespace);
        }
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return resource + "/" + namespace + "/" + name;
    }
}
