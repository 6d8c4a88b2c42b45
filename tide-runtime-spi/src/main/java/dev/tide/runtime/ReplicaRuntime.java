package dev.tide.runtime;

import java.time.Duration;
import java.util.List;

/**
 * Runs replicas. The control plane asks for replicas to start and stop; the runtime reports their state changes
 * to its listeners (the data plane routes to ready ones, the autoscaler counts them).
 */
public interface ReplicaRuntime extends AutoCloseable {

    /** Starts a replica; it reports {@link Replica.State#READY} once its readiness probe passes. */
    Replica start(ReplicaSpec spec);

    /**
     * Stops a replica gracefully: it is marked {@link Replica.State#DRAINING} at once (routing drops it), in-flight
     * requests get up to the spec's drain timeout, then the process is signalled to stop.
     */
    void stop(String replicaId);

    /** Every replica not yet stopped. */
    List<Replica> replicas();

    void addListener(Listener listener);

    /** The replica's recent output, oldest first. */
    default List<String> output(String replicaId) {
        return output(replicaId, 0).lines();
    }

    /**
     * The replica's output from line number {@code fromLine} (counting every line it ever printed; older lines than
     * the runtime keeps are skipped), and the number to ask from next time: for following a replica's output.
     */
    Output output(String replicaId, long fromLine);

    /**
     * As {@link #output(String, long)}, but when the replica has printed nothing from {@code fromLine} yet, waits up to
     * {@code timeout} for a line (for following its output without polling); may return early with no lines.
     */
    default Output awaitOutput(String replicaId, long fromLine, Duration timeout) throws InterruptedException {
        return output(replicaId, fromLine);
    }

    /** Lines of output and where the next read starts. */
    record Output(List<String> lines, long nextLine) {
    }

    /** Stops every replica (draining each) and waits at most {@code timeout}; leaves no process behind. */
    void shutdown(Duration timeout);

    @Override
    default void close() {
        shutdown(Duration.ofSeconds(30));
    }

    /** Hears replica state changes, on a runtime thread; must not block. */
    @FunctionalInterface
    interface Listener {
        void changed(Replica replica);
    }

    /** Tells the runtime when a draining replica has no request in flight any more (the data plane knows). */
    @FunctionalInterface
    interface DrainGate {
        /** Calls {@code idle} once the replica has no request in flight, or once {@code timeout} passes. */
        void whenIdle(String replicaId, Duration timeout, Runnable idle);

        /** No data plane: a replica is idle at once. */
        static DrainGate immediate() {
            return (id, timeout, idle) -> idle.run();
        }
    }
}
