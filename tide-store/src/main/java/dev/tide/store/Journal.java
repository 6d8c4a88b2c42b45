package dev.tide.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.List;

/**
 * Where the store makes its writes durable. {@link #append}, {@link #compact}, {@link #replay} and {@link #close} are
 * called under the store's lock, one at a time; {@link #force} by one thread at a time, while others may append.
 */
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

    /** Writes {@code entry} after the ones before it; it is durable once a {@link #force} that began later returns. */
    void append(Entry entry);

    /** Makes every entry appended before this call durable (an fsync). */
    void force();

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
            public void force() {
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
