package dev.tide.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Tide's object store, with Kubernetes semantics: a global, increasing resourceVersion stamped into
 * {@code metadata.resourceVersion}; compare-and-set updates; watches that resume from a version. A write
 * returns, and readers and watchers see it, only once it is durable.
 */
public interface Store extends AutoCloseable {

    /** A copy of the object, if stored. */
    Optional<ObjectNode> get(ObjectKey key);

    /** Copies of the objects of {@code resource} in {@code namespace} ({@code null}: every namespace). */
    Listing list(String resource, String namespace);

    /**
     * Copies of the objects of {@code resource} in {@code namespace} that {@code filter} accepts. The filter sees the
     * stored objects and must not change them; only the accepted ones are copied, so finding a few objects among
     * thousands costs a scan, not thousands of copies.
     */
    default Listing list(String resource, String namespace, Predicate<? super ObjectNode> filter) {
        Listing all = list(resource, namespace);
        return new Listing(all.items().stream().filter(filter).map(o -> (ObjectNode) o).toList(), all.resourceVersion());
    }

    /** Copies of the objects of {@code resource} in {@code namespace} whose {@code label} is {@code value}. */
    default Listing listByLabel(String resource, String namespace, String label, String value) {
        return list(resource, namespace, o -> value.equals(o.path("metadata").path("labels").path(label).asText(null)));
    }

    /** Stores a new object and returns the stored copy. */
    ObjectNode create(ObjectKey key, ObjectNode object);

    /**
     * Replaces an object. A write that changes nothing keeps the resourceVersion and notifies no watcher.
     *
     * @param expectedResourceVersion the version the caller read, or {@code null} for an unconditional write
     * @throws StoreException.Conflict when the stored version differs from the expected one
     */
    ObjectNode update(ObjectKey key, ObjectNode object, String expectedResourceVersion);

    /** Removes an object and returns its last state. */
    ObjectNode delete(ObjectKey key);

    /**
     * Watches changes of {@code resource} in {@code namespace} ({@code null}: all) that match {@code filter},
     * starting after {@code fromResourceVersion}.
     *
     * @throws StoreException.Gone when that version is older than the history kept
     */
    Watch watch(String resource, String namespace, long fromResourceVersion, Predicate<ObjectKey> filter);

    /** The current resourceVersion. */
    long resourceVersion();

    @Override
    void close();
}
