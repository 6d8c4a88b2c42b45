package dev.tide.controlplane.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.api.config.ClusterConfig;
import dev.tide.controlplane.registry.Registry;
import dev.tide.controlplane.serving.ModelServing;
import dev.tide.controlplane.serving.Placement;
import dev.tide.controlplane.serving.ReplicaUsers;
import dev.tide.store.Watch;
import dev.tide.store.WatchEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;

/**
 * Keeps every revision's {@link RevisionPlan} current and pushes each change to its listener, as Knative's
 * {@code MultiScaler} is told of decider changes: a plan is rebuilt only when one of its inputs changes (the
 * Revision's spec, the Routes' traffic, the cluster's ConfigMaps, the Secrets, ConfigMaps and ServiceAccounts of its
 * namespace) and pushed only when it differs from the last one pushed, so status writes, which change a revision
 * without changing its plan, push nothing.
 *
 * <p>Threading: one watch thread per input kind; every change is handled under this object's monitor, and the
 * listener is called there, in order, so it must not block.
 */
public final class RevisionPlanner implements AutoCloseable {

    /** Hears plan changes; called under the planner's monitor, in order; must not block. */
    public interface Listener {
        void planned(RevisionPlan plan);

        void removed(String namespace, String revision);
    }

    private record Key(String namespace, String name) {
    }

    private static final List<ResourceType> INPUTS = List.of(ResourceTypes.REVISION, ResourceTypes.ROUTE, ResourceTypes.CONFIG_MAP,
            ResourceTypes.SECRET, ResourceTypes.SERVICE_ACCOUNT);

    private final Registry registry;
    private final ModelServing models;
    private final ReplicaUsers users;
    private final Placement placement;
    private final Listener listener;
    /** The plans pushed: written under this object's monitor, read by {@link #plan} from any thread. */
    private final Map<Key, RevisionPlan> plans = new java.util.concurrent.ConcurrentHashMap<>();
    /** Guarded by this: the revisions each Route sends traffic to ({@code namespace/route}), and how many Routes route each. */
    private final Map<String, Set<Key>> routedBy = new HashMap<>();
    private final Map<Key, Integer> routes = new HashMap<>();
    private final List<Watch> watches = new ArrayList<>();
    private volatile boolean closed;

    public RevisionPlanner(Registry registry, ModelServing models, ReplicaUsers users, Listener listener) {
        this(registry, models, users, Placement.LOCAL, listener);
    }

    /** @param placement where replicas can run, and which limits hold there */
    public RevisionPlanner(Registry registry, ModelServing models, ReplicaUsers users, Placement placement, Listener listener) {
        this.registry = registry;
        this.models = models;
        this.users = users;
        this.placement = placement;
        this.listener = listener;
    }

    /** The revision's plan as last pushed; null before its first or after it was removed. Safe from any thread. */
    public RevisionPlan plan(String namespace, String revision) {
        return plans.get(new Key(namespace, revision));
    }

    /** Watches the inputs from now on, then plans every revision there is. */
    public void start(ThreadFactory threads) {
        long from = registry.store().resourceVersion();
        for (ResourceType type : INPUTS) {
            Watch w = registry.store().watch(type.groupResource(), null, from, k -> true);
            watches.add(w);
            threads.newThread(() -> pump(type, w)).start();
        }
        planAll();
    }

    /** Plans every revision from the store as it is now (at start, and for tests that drive the planner by hand). */
    public synchronized void planAll() {
        routedBy.clear();
        routes.clear();
        for (ObjectNode route : registry.list(ResourceTypes.ROUTE, null).items()) {
            traffic(Meta.namespace(route), Meta.name(route), route);
        }
        ClusterConfig cluster = registry.config().current();
        Set<Key> seen = new HashSet<>();
        for (ObjectNode rev : registry.list(ResourceTypes.REVISION, null).items()) {
            Key key = new Key(Meta.namespace(rev), Meta.name(rev));
            seen.add(key);
            plan(key, rev, cluster);
        }
        for (Key gone : new ArrayList<>(plans.keySet())) {
            if (!seen.contains(gone)) {
                remove(gone);
            }
        }
    }

    private void pump(ResourceType type, Watch w) {
        w.forEach(() -> closed, e -> changed(type, e));
    }

    /** One input changed: re-plans the revisions it is an input of. */
    synchronized void changed(ResourceType type, WatchEvent e) {
        String ns = e.key().namespace();
        String name = e.key().name();
        boolean deleted = e.type() == WatchEvent.Type.DELETED;
        if (type == ResourceTypes.REVISION) {
            Key key = new Key(ns, name);
            if (deleted) {
                remove(key);
            } else {
                plan(key, e.object(), registry.config().current());
            }
        } else if (type == ResourceTypes.ROUTE) {
            Set<Key> affected = new HashSet<>(routedBy.getOrDefault(ns + "/" + name, Set.of()));
            traffic(ns, name, deleted ? null : e.object());
            affected.addAll(routedBy.getOrDefault(ns + "/" + name, Set.of()));
            replan(affected);
        } else if (type == ResourceTypes.CONFIG_MAP && ClusterConfig.isConfigMap(ns, name)) {
            replan(new ArrayList<>(plans.keySet())); // new defaults or autoscaler settings: every plan may change
        } else {
            // A Secret, ConfigMap or ServiceAccount of the namespace: the revisions that may refer to it.
            replan(plans.keySet().stream().filter(k -> k.namespace().equals(ns)).toList());
        }
    }

    private void replan(java.util.Collection<Key> keys) {
        ClusterConfig cluster = registry.config().current();
        for (Key k : keys) {
            registry.get(ResourceTypes.REVISION, k.namespace(), k.name()).ifPresent(rev -> plan(k, rev, cluster));
        }
    }

    /** Records which revisions a Route's {@code status.traffic} names ({@code route} null: deleted). */
    private void traffic(String ns, String route, JsonNode object) {
        Set<Key> before = routedBy.remove(ns + "/" + route);
        if (before != null) {
            before.forEach(k -> routes.computeIfPresent(k, (x, n) -> n == 1 ? null : n - 1));
        }
        if (object == null) {
            return;
        }
        Set<Key> now = new HashSet<>();
        for (JsonNode t : object.path("status").path("traffic")) {
            String rev = t.path("revisionName").asText("");
            if (!rev.isEmpty()) {
                now.add(new Key(ns, rev));
            }
        }
        routedBy.put(ns + "/" + route, now);
        now.forEach(k -> routes.merge(k, 1, Integer::sum));
    }

    private void plan(Key key, JsonNode revision, ClusterConfig cluster) {
        String ns = key.namespace();
        RevisionPlans.Lookups lookups = new RevisionPlans.Lookups(
                n -> registry.get(ResourceTypes.SECRET, ns, n), n -> registry.get(ResourceTypes.CONFIG_MAP, ns, n),
                n -> registry.get(ResourceTypes.SERVICE_ACCOUNT, ns, n));
        RevisionPlan next = RevisionPlans.plan(revision, routes.containsKey(key), cluster, lookups, models, users, placement);
        if (!next.equals(plans.put(key, next))) {
            listener.planned(next);
        }
    }

    private void remove(Key key) {
        if (plans.remove(key) != null) {
            listener.removed(key.namespace(), key.name());
        }
    }

    @Override
    public void close() {
        closed = true;
        watches.forEach(Watch::close);
    }
}
