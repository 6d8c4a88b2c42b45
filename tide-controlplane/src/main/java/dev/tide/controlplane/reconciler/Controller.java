package dev.tide.controlplane.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.api.config.ClusterConfig;
import dev.tide.controlplane.registry.Registry;
import dev.tide.store.ObjectKey;
import dev.tide.store.Watch;
import dev.tide.store.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs the reconcilers: watches the store, turns each change into the keys of the objects it affects (the object,
 * its owner, and for revisions and configurations the routes of the namespace), and reconciles them on a few worker
 * threads, never one object on two at once (as Kubernetes' workqueue). Reconciles of different objects may overlap:
 * their writes are compare-and-set, and one that lost a race fails and is retried after {@link #RETRY_AFTER}.
 *
 * <p>Threading: one watcher thread per kind feeds {@link #queue}; the workers drain it.
 */
public final class Controller implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Controller.class.getName());
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    /** A reconcile request. */
    record Key(ResourceType type, String namespace, String name) {
    }

    private final Registry registry;
    private final Map<ResourceType, Reconciler> reconcilers;
    private final GarbageCollector collector;
    private final RouteReferences routes = new RouteReferences();
    private final ThreadFactory threads;
    private final int workers;
    private final WorkQueue<Key> queue = new WorkQueue<>();
    private final List<Watch> watches = new ArrayList<>();
    private final List<Thread> running = new ArrayList<>();
    private volatile boolean closed;

    /** @param workers how many reconciles may run at once */
    public Controller(Registry registry, List<Reconciler> reconcilers, ThreadFactory threads, int workers) {
        this.registry = registry;
        this.workers = workers;
        this.reconcilers = reconcilers.stream().collect(Collectors.toMap(Reconciler::type, Function.identity()));
        this.collector = new GarbageCollector(registry);
        this.threads = threads;
    }

    /** Starts watching and reconciling; every existing object is reconciled once. */
    public void start() {
        List<ResourceType> watched = List.of(ResourceTypes.SERVICE, ResourceTypes.CONFIGURATION, ResourceTypes.REVISION,
                ResourceTypes.ROUTE, ResourceTypes.INFERENCE_SERVICE, ResourceTypes.CONFIG_MAP);
        for (ResourceType type : watched) {
            long from = registry.store().resourceVersion();
            Watch w = registry.store().watch(type.groupResource(), null, from, k -> true);
            watches.add(w);
            Thread t = threads.newThread(() -> pump(type, w));
            running.add(t);
            t.start();
        }
        // Route events after the watches began apply on top of this listing, in order, so the index ends current.
        registry.list(ResourceTypes.ROUTE, null).items().forEach(r -> routes.update(Meta.namespace(r), Meta.name(r), r));
        for (ResourceType type : reconcilers.keySet()) {
            registry.list(type, null).items().forEach(o -> enqueue(new Key(type, Meta.namespace(o), Meta.name(o))));
        }
        collector.collectOrphans();
        for (int i = 0; i < workers; i++) {
            Thread worker = threads.newThread(this::work);
            running.add(worker);
            worker.start();
        }
    }

    private void pump(ResourceType type, Watch w) {
        w.forEach(() -> closed, e -> onEvent(type, e));
    }

    /** Maps one change onto the reconciles it calls for. */
    void onEvent(ResourceType type, WatchEvent e) {
        ObjectKey key = e.key();
        if (e.type() == WatchEvent.Type.DELETED) {
            collector.deleted(type, e.object());
        }
        if (type == ResourceTypes.ROUTE) {
            routes.update(key.namespace(), key.name(), e.type() == WatchEvent.Type.DELETED ? null : e.object());
        }
        if (type == ResourceTypes.CONFIG_MAP) {
            if (ClusterConfig.isConfigMap(key.namespace(), key.name())) {
                // New defaults or a new domain change every URL and revision: look at everything again.
                for (ResourceType t : reconcilers.keySet()) {
                    registry.list(t, null).items().forEach(o -> enqueue(new Key(t, Meta.namespace(o), Meta.name(o))));
                }
            }
            return;
        }
        if (reconcilers.containsKey(type)) {
            enqueue(new Key(type, key.namespace(), key.name()));
        }
        enqueueOwners(e.object(), key.namespace());
        if (type == ResourceTypes.REVISION || type == ResourceTypes.CONFIGURATION) {
            // The Routes whose traffic names this configuration (or this revision, or its configuration).
            String configuration = type == ResourceTypes.CONFIGURATION ? key.name()
                    : e.object().path("metadata").path("labels").path(ServingLabels.CONFIGURATION).asText("");
            String revision = type == ResourceTypes.REVISION ? key.name() : "";
            routes.naming(key.namespace(), configuration, revision).forEach(r -> enqueue(new Key(ResourceTypes.ROUTE, key.namespace(), r)));
        }
    }

    private void enqueueOwners(JsonNode obj, String namespace) {
        for (JsonNode ref : obj.path("metadata").path("ownerReferences")) {
            String apiVersion = ref.path("apiVersion").asText();
            String kind = ref.path("kind").asText();
            ResourceTypes.byApiVersionAndKind(apiVersion, kind).filter(reconcilers::containsKey)
                    .ifPresent(t -> enqueue(new Key(t, namespace, ref.path("name").asText())));
        }
    }

    /** Asks for one object to be reconciled (e.g. a revision whose replicas changed). Safe from any thread. */
    public void requeue(ResourceType type, String namespace, String name) {
        if (reconcilers.containsKey(type)) {
            enqueue(new Key(type, namespace, name));
        }
    }

    void enqueue(Key key) {
        queue.add(key);
    }

    private void work() {
        while (!closed) {
            Key key;
            try {
                key = queue.take(RETRY_AFTER);
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) {
                continue;
            }
            boolean failed = false;
            try {
                reconcilers.get(key.type()).reconcile(key.namespace(), key.name());
            } catch (RuntimeException e) {
                failed = true;
                LOG.log(System.Logger.Level.DEBUG, "reconcile of " + key + " failed, will retry: " + e.getMessage());
            } finally {
                queue.done(key, failed);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        watches.forEach(Watch::close);
        for (Thread t : running) {
            t.interrupt();
        }
        for (Thread t : running) {
            try {
                t.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
