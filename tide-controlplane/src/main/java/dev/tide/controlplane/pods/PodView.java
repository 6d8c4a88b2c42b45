package dev.tide.controlplane.pods;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.registry.Registry;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.store.Listing;
import dev.tide.store.ObjectKey;
import dev.tide.store.QueuedWatch;
import dev.tide.store.StoreException;
import dev.tide.store.Watch;
import dev.tide.store.WatchEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The replicas as {@code v1} Pods ({@link PodObjects}), kept from the runtime's state changes: listed, got and watched
 * as stored objects are (with resource versions of their own, and a watch from an older version than the view keeps
 * answered {@code 410 Gone} as the store answers it), deleted (the replica drains and the autoscaler starts another, as
 * a Deployment replaces a deleted pod), and their output read as {@code kubectl logs} reads a container's.
 *
 * <p>Threading: the runtime calls {@link #changed} on its threads; every read and change holds this view's monitor
 * briefly, and watchers get events through their own queues, never blocking the runtime.
 */
public final class PodView implements ReplicaRuntime.Listener {

    private static final int HISTORY = 1000;
    /** A watcher further behind than this is closed (and relists), as the store closes one. */
    private static final int WATCH_QUEUE = 10_000;

    /**
     * One replica's pod.
     *
     * @param revision        the revision object as it was when the replica first appeared (labels, uid, containers)
     * @param started         when its current process started
     * @param previousStarted when its previous process started, or {@code null}
     * @param finished        when its previous process ended, or {@code null}
     * @param readyChanged    when it last turned ready or unready
     * @param deleted         when it was asked to leave, or {@code null}
     * @param previousFrom    the first output line of its previous process
     */
    record Record(String name, Replica replica, JsonNode revision, Instant created, Instant started, Instant previousStarted,
                  Instant finished, Instant readyChanged, Instant deleted, long previousFrom) {
    }

    private final Registry registry;
    private final InstantSource clock;
    private final String node;
    private volatile ReplicaRuntime runtime;
    private final Map<String, Record> byReplica = new HashMap<>();
    private final Map<ObjectKey, String> replicaByPod = new HashMap<>();
    private final Map<String, ObjectNode> objects = new HashMap<>();
    private final ArrayDeque<WatchEvent> history = new ArrayDeque<>();
    private final List<QueuedWatch> watches = new CopyOnWriteArrayList<>();
    private long resourceVersion;

    /** @param node the name pods give as their {@code spec.nodeName}: this machine's */
    public PodView(Registry registry, InstantSource clock, String node) {
        this.registry = registry;
        this.clock = clock;
        this.node = node;
    }

    /** Listens to {@code runtime}, which deletions and logs then go to. */
    public void attach(ReplicaRuntime runtime) {
        this.runtime = runtime;
        runtime.addListener(this);
    }

    @Override
    public void changed(Replica r) {
        Instant now = clock.instant();
        synchronized (this) {
            Record before = byReplica.get(r.id());
            if (r.state() == Replica.State.STOPPED) {
                if (before != null) {
                    byReplica.remove(r.id());
                    ObjectKey key = key(r.namespace(), before.name());
                    replicaByPod.remove(key);
                    // A copy: the events already sent share the last object, with their own resource version.
                    publish(WatchEvent.Type.DELETED, key, objects.remove(r.id()).deepCopy());
                }
                return;
            }
            Record next;
            if (before == null) {
                JsonNode revision = registry.get(ResourceTypes.REVISION, r.namespace(), r.revision()).map(JsonNode.class::cast)
                        .orElseGet(Json::object);
                String name = uniqueName(r, revision);
                next = new Record(name, r, revision, now, now, null, null, now, r.state() == Replica.State.DRAINING ? now : null,
                        r.outputFrom());
                replicaByPod.put(key(r.namespace(), name), r.id());
            } else {
                boolean relaunched = r.outputFrom() != before.replica().outputFrom()
                        || before.replica().state() == Replica.State.CRASHED && r.state() == Replica.State.STARTING;
                boolean crashed = r.state() == Replica.State.CRASHED && before.replica().state() != Replica.State.CRASHED;
                boolean readiness = (r.state() == Replica.State.READY) != (before.replica().state() == Replica.State.READY);
                next = new Record(before.name(), r, before.revision(), before.created(),
                        relaunched ? now : before.started(),
                        relaunched ? before.started() : before.previousStarted(),
                        crashed ? now : before.finished(),
                        readiness ? now : before.readyChanged(),
                        before.deleted() != null ? before.deleted() : r.state() == Replica.State.DRAINING ? now : null,
                        relaunched ? before.replica().outputFrom() : before.previousFrom());
            }
            byReplica.put(r.id(), next);
            ObjectNode pod = PodObjects.pod(next, node);
            objects.put(r.id(), pod);
            publish(before == null ? WatchEvent.Type.ADDED : WatchEvent.Type.MODIFIED, key(r.namespace(), next.name()), pod);
        }
    }

    private String uniqueName(Replica r, JsonNode revision) {
        if (r.id().startsWith(r.revision() + "-deployment-") && !replicaByPod.containsKey(key(r.namespace(), r.id()))) {
            return r.id(); // a pod on a cluster: its own name, the one kubectl shows there
        }
        for (int attempt = 0; ; attempt++) {
            String name = PodObjects.name(r.revision(), dev.tide.api.Meta.uid(revision), r.id(), attempt);
            if (!replicaByPod.containsKey(key(r.namespace(), name))) {
                return name;
            }
        }
    }

    /** Caller holds the monitor. */
    private void publish(WatchEvent.Type type, ObjectKey key, ObjectNode pod) {
        long rv = ++resourceVersion;
        ((ObjectNode) pod.get("metadata")).put("resourceVersion", Long.toString(rv));
        WatchEvent e = new WatchEvent(type, key, pod, rv);
        if (history.size() == HISTORY) {
            history.removeFirst();
        }
        history.addLast(e);
        for (QueuedWatch w : watches) {
            w.offer(e);
        }
    }

    private static ObjectKey key(String namespace, String name) {
        return new ObjectKey(ResourceTypes.POD.groupResource(), namespace, name);
    }

    /** Every pod in {@code namespace} ({@code null}: all), by namespace then name, and the version to watch from. */
    public synchronized Listing list(String namespace) {
        List<ObjectNode> items = new ArrayList<>();
        byReplica.forEach((id, rec) -> {
            if (namespace == null || namespace.equals(rec.replica().namespace())) {
                items.add(objects.get(id).deepCopy());
            }
        });
        items.sort(Comparator.comparing((ObjectNode o) -> o.path("metadata").path("namespace").asText())
                .thenComparing(o -> o.path("metadata").path("name").asText()));
        return new Listing(List.copyOf(items), resourceVersion);
    }

    public synchronized Optional<ObjectNode> get(String namespace, String name) {
        String id = replicaByPod.get(key(namespace, name));
        return id == null ? Optional.empty() : Optional.of(objects.get(id).deepCopy());
    }

    /**
     * Changes after {@code fromVersion} in {@code namespace} ({@code null}: all).
     *
     * @throws StoreException.Gone when the view no longer holds the changes since then
     */
    public synchronized Watch watch(String namespace, long fromVersion) {
        long oldest = history.isEmpty() ? resourceVersion + 1 : history.getFirst().resourceVersion();
        if (fromVersion < resourceVersion && fromVersion + 1 < oldest) {
            throw new StoreException.Gone(fromVersion, oldest);
        }
        QueuedWatch w = new QueuedWatch(WATCH_QUEUE, e -> namespace == null || namespace.equals(e.key().namespace()), watches::remove);
        for (WatchEvent e : history) {
            if (e.resourceVersion() > fromVersion) {
                w.offer(e);
            }
        }
        watches.add(w);
        return w;
    }

    /**
     * Asks the pod's replica to leave: it drains, and the autoscaler, seeing one replica fewer, starts another.
     *
     * @return the pod as it is now, or empty when there is none of that name
     */
    public Optional<ObjectNode> delete(String namespace, String name) {
        String id;
        synchronized (this) {
            id = replicaByPod.get(key(namespace, name));
        }
        if (id == null) {
            return Optional.empty();
        }
        Optional<ObjectNode> now = get(namespace, name);
        ReplicaRuntime r = runtime;
        if (r != null) {
            r.stop(id);
        }
        return get(namespace, name).or(() -> now);
    }

    /** A pod's output: where to read it, and what the previous process printed. */
    public record Logs(String replicaId, long from, long until) {
    }

    /**
     * Where a pod's output is: its current process's, or with {@code previous} its previous one's.
     *
     * @return empty when there is no such pod
     * @throws IllegalStateException with {@code previous} when its process has not been restarted
     */
    public synchronized Optional<Logs> logs(String namespace, String name, boolean previous) {
        String id = replicaByPod.get(key(namespace, name));
        if (id == null) {
            return Optional.empty();
        }
        Record rec = byReplica.get(id);
        if (!previous) {
            return Optional.of(new Logs(id, rec.replica().outputFrom(), Long.MAX_VALUE));
        }
        if (rec.replica().restarts() == 0 && rec.replica().lastTermination() == null) {
            throw new IllegalStateException("previous terminated container \"" + rec.revision().path("spec").path("containers")
                    .path(0).path("name").asText("user-container") + "\" in pod \"" + name + "\" not found");
        }
        boolean crashedNow = rec.replica().state() == Replica.State.CRASHED;
        // While it waits to restart, its last process is the one that crashed: from where it began to now.
        return Optional.of(crashedNow ? new Logs(id, rec.replica().outputFrom(), Long.MAX_VALUE)
                : new Logs(id, rec.previousFrom(), rec.replica().outputFrom()));
    }

    /**
     * The output of {@code logs} from line {@code from} (see {@link ReplicaRuntime#output(String, long)}), waiting up to
     * {@code wait} for a line when there is none yet.
     */
    public ReplicaRuntime.Output output(Logs logs, long from, Duration wait) throws InterruptedException {
        ReplicaRuntime r = runtime;
        if (r == null) {
            return new ReplicaRuntime.Output(List.of(), from);
        }
        ReplicaRuntime.Output o = logs.until() == Long.MAX_VALUE
                ? r.awaitOutput(logs.replicaId(), Math.max(from, logs.from()), wait)
                : r.output(logs.replicaId(), Math.max(from, logs.from()));
        if (logs.until() == Long.MAX_VALUE) {
            return o;
        }
        long first = o.nextLine() - o.lines().size();
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < o.lines().size(); i++) {
            if (first + i < logs.until()) {
                kept.add(o.lines().get(i));
            }
        }
        return new ReplicaRuntime.Output(kept, Math.min(o.nextLine(), logs.until()));
    }

    /** The pod of replica {@code replicaId}, or empty when it has none (any more). */
    public synchronized Optional<ObjectNode> ofReplica(String replicaId) {
        ObjectNode pod = objects.get(replicaId);
        return pod == null ? Optional.empty() : Optional.of(pod.deepCopy());
    }

    /**
     * A pod's STATUS as kubectl prints it: {@code Terminating} once deleted, else a waiting container's reason
     * ({@code CrashLoopBackOff}), else the phase ({@code Running}).
     */
    public static String statusText(JsonNode pod) {
        if (pod.path("metadata").has("deletionTimestamp")) {
            return "Terminating";
        }
        for (JsonNode c : pod.path("status").path("containerStatuses")) {
            String waiting = Json.text(c.path("state").path("waiting"), "reason");
            if (waiting != null) {
                return waiting;
            }
        }
        return Json.text(pod.path("status"), "phase");
    }

    /** Whether the pod is still there (a follower stops when it is gone). */
    public synchronized boolean exists(String replicaId) {
        return byReplica.containsKey(replicaId);
    }
}
