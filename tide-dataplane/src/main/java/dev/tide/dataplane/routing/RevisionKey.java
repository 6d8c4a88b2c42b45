package dev.tide.dataplane.routing;

/** A revision, as the data plane knows it. */
public record RevisionKey(String namespace, String name) {

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
