package dev.tide.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.List;

/** Where the store makes its writes durable. Called under the store's lock, one call at a time. */
public interface Journal extends AutoCloseable {

    /**
     * One durable change.
     *
     * @param object the new state, or {@code null} for a deletion
     */
    record Entry(long resourceVersion, ObjectKey key, ObjectNode object) {
    }

    /** Every entry written so far, oldest first; entries of a torn last write are dropped. */
    List<Entry> replay();

    /** Makes {@code entry} durable before returning. */
    void append(Entry entry);

    /**
     * Replaces the history with the live objects (each as a put at its own version) and {@code resourceVersion},
     * atomically: a crash leaves either the old or the new history.
     */
    void compact(Collection<Entry> live, long resourceVersion);

    /** Whether the journal has grown enough over {@code liveBytes} of live data to be worth compacting. */
    boolean wantsCompaction();

    @Override
    void close();

    /** A journal that keeps nothing: for tests and throwaway stores. */
    static Journal none() {
        return new Journal() {
            @Override
            public List<Entry> replay() {
                return List.of();
            }

            @Override
            public void append(Entry entry) {
            }

            @Override
            public void compact(Collection<Entry> live, long resourceVersion) {
            }

            @Override
            public boolean wantsCompaction() {
                return false;
            }

            @Override
            public void close() {
            }
        };
    }
}
