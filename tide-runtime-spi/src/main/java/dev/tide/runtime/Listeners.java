package dev.tide.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A runtime's listeners, told of each replica change in turn; one failing listener does not keep the change from the
 * others. Added to at start, read on every change: copy on write.
 */
public final class Listeners {

    private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

    private final List<ReplicaRuntime.Listener> all = new CopyOnWriteArrayList<>();

    public void add(ReplicaRuntime.Listener listener) {
        all.add(listener);
    }

    public void tell(Replica snapshot) {
        for (ReplicaRuntime.Listener l : all) {
            try {
                l.changed(snapshot);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "replica listener failed", e);
            }
        }
    }

    /** Snapshots of {@code replicas} sorted by id, as {@link ReplicaRuntime#replicas()} lists them. */
    public static <R> List<Replica> snapshots(Iterable<R> replicas, Function<R, Replica> snapshot) {
        List<Replica> out = new ArrayList<>();
        replicas.forEach(r -> out.add(snapshot.apply(r)));
        out.sort(Comparator.comparing(Replica::id));
        return out;
    }
}
