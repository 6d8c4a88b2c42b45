package dev.tide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.api.config.ClusterConfig;
import dev.tide.common.time.Scheduler;
import dev.tide.controlplane.plan.RevisionPlan;
import dev.tide.controlplane.registry.Registry;
import dev.tide.dataplane.gateway.Endpoints;
import dev.tide.dataplane.gateway.RevisionEndpoint;
import dev.tide.dataplane.routing.RevisionKey;
import dev.tide.dataplane.routing.RoutingTable;
import dev.tide.store.Listing;
import dev.tide.store.StoreException;
import dev.tide.store.Watch;
import dev.tide.store.WatchEvent;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Keeps the gateway's routing table and revision endpoints in step with the control plane's Routes (their resolved
 * {@code status.traffic}, tag URLs) and InferenceServices (their top-level host and model name). It watches both kinds,
 * keeps what the table takes from each object ({@link RoutingInputs}) and rebuilds the table once per burst of
 * changes, as it does when a revision's plan changes; the data plane thus needs nothing from the control plane. Idle,
 * it does nothing at all; with 1,000 Routes a rebuild reads 1,000 small records, no JSON.
 *
 * <p>Threading: one watch thread per kind updates the inputs and asks for a rebuild; rebuilds run on the scheduler's
 * thread, one at a time, and publish immutable tables. A change made while a rebuild runs asks for the next one, so
 * none is lost.
 */
final class RoutingFeed implements dev.tide.controlplane.reconciler.route.Ingress {

    /** What the table is made of; the cluster's ConfigMaps hold the observability settings endpoints get. */
    private static final List<ResourceType> WATCHED = List.of(ResourceTypes.ROUTE, ResourceTypes.INFERENCE_SERVICE,
            ResourceTypes.CONFIG_MAP);

    private final Registry registry;
    private final Endpoints endpoints;
    private final Scheduler scheduler;
    private final BiConsumer<String, String> poke;
    private final Function<RevisionKey, List<RevisionEndpoint.Backend>> readyBackends;
    private final java.util.function.Predicate<RevisionKey> activatorInPath;
    private final Function<RevisionKey, RevisionPlan> plans;
    /** {@code namespace/name} to what the table takes from each Route and InferenceService; sorted, so rebuilds agree. */
    private final Map<String, RoutingInputs.Route> routes = new ConcurrentSkipListMap<>();
    private final Map<String, RoutingInputs.InferenceService> services = new ConcurrentSkipListMap<>();
    /** Set while a rebuild is scheduled and has not started. */
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    /** The earliest a rebuild may start, on the scheduler's ticker. */
    private volatile long nextRebuildNanos;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    /** Route (namespace/name) -> the status.traffic the published table routes. */
    private volatile Map<String, String> programmed = Map.of();
    private final java.util.function.BiConsumer<String, String> routeProgrammed;
    private final RevisionObservers observers;

    /**
     * @param routeProgrammed told (namespace, route) when the table starts routing a Route's current traffic
     */
    RoutingFeed(Registry registry, Endpoints endpoints, Scheduler scheduler, BiConsumer<String, String> poke,
                Function<RevisionKey, List<RevisionEndpoint.Backend>> readyBackends, java.util.function.Predicate<RevisionKey> activatorInPath,
                Function<RevisionKey, RevisionPlan> plans, BiConsumer<String, String> routeProgrammed, RevisionObservers observers) {
        this.activatorInPath = activatorInPath;
        this.plans = plans;
        this.routeProgrammed = routeProgrammed;
        this.observers = observers;
        this.registry = registry;
        this.endpoints = endpoints;
        this.scheduler = scheduler;
        this.poke = poke;
        this.readyBackends = readyBackends;
    }

    /** Lists both kinds, watches them from there on, and builds the first table. */
    void start(ThreadFactory threads) {
        for (ResourceType type : WATCHED) {
            Watch w = listAndWatch(type);
            threads.newThread(() -> pump(type, w)).start();
        }
        requestRebuild();
    }

    void close() {
        closed = true;
        watches.forEach(Watch::close);
    }

    /** A revision's plan changed (its timeout, or it is new): rebuild. */
    void planChanged() {
        requestRebuild();
    }

    /** Replaces the inputs of {@code type} with a fresh listing and watches from its version. */
    private Watch listAndWatch(ResourceType type) {
        while (true) {
            try {
                return listAndWatchOnce(type);
            } catch (StoreException.Gone e) {
                // More changes came between the listing and the watch than the store keeps: list again.
            }
        }
    }

    private Watch listAndWatchOnce(ResourceType type) {
        Listing listing = registry.list(type, null);
        Map<String, ObjectNode> byKey = new java.util.HashMap<>();
        listing.items().forEach(o -> byKey.put(Meta.namespace(o) + "/" + Meta.name(o), o));
        if (type == ResourceTypes.ROUTE) {
            routes.keySet().retainAll(byKey.keySet());
            byKey.forEach((k, o) -> routes.put(k, RoutingInputs.Route.of(o)));
        } else if (type == ResourceTypes.INFERENCE_SERVICE) {
            services.keySet().retainAll(byKey.keySet());
            byKey.forEach((k, o) -> services.put(k, RoutingInputs.InferenceService.of(o)));
        }
        Watch w = registry.store().watch(type.groupResource(), null, listing.resourceVersion(),
                k -> type != ResourceTypes.CONFIG_MAP || ClusterConfig.isConfigMap(k.namespace(), k.name()));
        watches.add(w);
        if (closed) {
            w.close(); // close() ran meanwhile and may have missed it
        }
        return w;
    }

    private void pump(ResourceType type, Watch first) {
        Watch w = first;
        while (true) {
            w.forEach(() -> closed, e -> changed(type, e));
            if (closed || Thread.currentThread().isInterrupted()) {
                return;
            }
            // The store closes a watch that fell too far behind: start again from a listing.
            watches.remove(w);
            w = listAndWatch(type);
            requestRebuild();
        }
    }

    private void changed(ResourceType type, WatchEvent e) {
        String key = e.key().namespace() + "/" + e.key().name();
        boolean deleted = e.type() == WatchEvent.Type.DELETED;
        if (type == ResourceTypes.ROUTE) {
            RoutingInputs.Route next = deleted ? null : RoutingInputs.Route.of(e.object());
            RoutingInputs.Route before = deleted ? routes.remove(key) : routes.put(key, next);
            if (!java.util.Objects.equals(before, next)) {
                requestRebuild();
            }
        } else if (type == ResourceTypes.INFERENCE_SERVICE) {
            RoutingInputs.InferenceService next = deleted ? null : RoutingInputs.InferenceService.of(e.object());
            RoutingInputs.InferenceService before = deleted ? services.remove(key) : services.put(key, next);
            if (!java.util.Objects.equals(before, next)) {
                requestRebuild();
            }
        } else {
            requestRebuild(); // the cluster's settings
        }
    }

    /**
     * Schedules one rebuild for every change asked for until it starts. A rebuild reads every Route, so while 1,000
     * Services are being created one per change would cost O(N^2); instead the next rebuild starts no sooner than nine
     * times the last one's length after it ended, which holds rebuilding to a tenth of the scheduler's thread. Example:
     * a rebuild that took 2 ms ends at t; changes until t + 18 ms wait for one rebuild at t + 18 ms, and with a few
     * Routes (microseconds a rebuild) a change is programmed at once.
     */
    private void requestRebuild() {
        if (!closed && rebuildPending.compareAndSet(false, true)) {
            long wait = Math.max(0, nextRebuildNanos - scheduler.ticker().nanos());
            scheduler.schedule(() -> {
                rebuildPending.set(false);
                if (!closed) {
                    long start = scheduler.ticker().nanos();
                    rebuild();
                    long end = scheduler.ticker().nanos();
                    nextRebuildNanos = end + 9 * (end - start);
                }
            }, wait);
        }
    }

    private void rebuild() {
        RoutingTable.Builder table = RoutingTable.builder();
        Map<String, String> nowProgrammed = new java.util.HashMap<>();
        Map<RevisionKey, RevisionEndpoint.Affinity> affinities = new java.util.HashMap<>();
        Set<RevisionKey> routed = new HashSet<>();
        for (Map.Entry<String, RoutingInputs.Route> e : routes.entrySet()) {
            RoutingInputs.Route route = e.getValue();
            routed.addAll(route.routed());
            if (route.affinity() != null) {
                route.routed().forEach(k -> affinities.put(k, route.affinity()));
            }
            route.tagHosts().forEach((host, rev) -> table.host(host, List.of(new RoutingTable.Target(rev, 100))));
            nowProgrammed.put(e.getKey(), route.traffic());
            if (route.host() != null && !route.targets().isEmpty()) {
                table.host(route.host(), route.targets());
                // The cluster-local names Knative gives a route (NAME.NAMESPACE, .svc, .svc.cluster.local): what a
                // KServe transformer calls its predictor by, through the ingress as its proxy.
                String[] nsName = e.getKey().split("/", 2);
                String local = nsName[1] + "." + nsName[0];
                for (String alias : List.of(local, local + ".svc", local + ".svc.cluster.local")) {
                    table.host(alias, route.targets());
                }
            }
        }
        for (RoutingInputs.InferenceService isvc : services.values()) {
            RoutingInputs.Route entry = routes.get(isvc.route());
            if (entry != null && !entry.targets().isEmpty() && entry.host() != null && isvc.host() != null) {
                table.host(isvc.host(), entry.targets());
                table.model(isvc.model(), isvc.host());
            }
        }
        ClusterConfig config = registry.config().current();
        for (RevisionKey key : routed) {
            // Every setting of an endpoint is its revision's plan's; a revision not planned yet gets its endpoint at
            // the rebuild its plan triggers.
            RevisionPlan plan = plans.apply(key);
            if (plan == null) {
                continue;
            }
            RevisionEndpoint ep = endpoints.get(key);
            if (ep == null) {
                ep = new RevisionEndpoint(key, plan.containerConcurrency(), plan.h2c(), plan.timeout(), scheduler, new SplittableRandom(),
                        () -> poke.accept(key.namespace(), key.name()));
                ep.setActivatorInPath(activatorInPath.test(key));
                observers.watch(ep, plan.service(), plan.configuration());
                endpoints.put(ep);
                // After it is put: a replica change from now on refreshes it too, and the later read wins.
                ep.refreshReplicas(() -> readyBackends.apply(key));
            } else if (!ep.timeout().equals(plan.timeout())) {
                ep.setTimeout(plan.timeout()); // config-defaults changed since
            }
        }
        observers.configure(config.observability());
        for (RevisionKey key : routed) {
            RevisionEndpoint ep = endpoints.get(key);
            if (ep != null) {
                ep.setAffinity(affinities.get(key));
            }
        }
        endpoints.setTable(table.build());
        forgetGone(routed);
        Map<String, String> before = programmed;
        programmed = java.util.Collections.unmodifiableMap(nowProgrammed);
        nowProgrammed.forEach((route, traffic) -> {
            if (!traffic.equals(before.get(route))) {
                int slash = route.indexOf('/');
                routeProgrammed.accept(route.substring(0, slash), route.substring(slash + 1));
            }
        });
    }

    /**
     * A revision that is deleted (it has no plan) and routed by nothing has its endpoint and meters removed, once no
     * request is in it or waiting at it: its draining replicas finish what they took first. While some are, a rebuild a
     * second later looks again.
     */
    private void forgetGone(Set<RevisionKey> routed) {
        boolean busy = false;
        for (RevisionKey key : endpoints.keys()) {
            if (routed.contains(key) || plans.apply(key) != null) {
                continue;
            }
            RevisionEndpoint ep = endpoints.get(key);
            if (ep != null && (ep.inFlight() > 0 || ep.waiting() > 0)) {
                busy = true;
                continue;
            }
            endpoints.remove(key);
            observers.forget(key);
        }
        if (busy) {
            // A second from now, not at once: a long request must not have the rebuild spin until it ends.
            scheduler.schedule(this::requestRebuild, 1_000_000_000L);
        }
    }

    @Override
    public boolean programmed(String namespace, String route, JsonNode traffic) {
        return traffic.toString().equals(programmed.get(namespace + "/" + route));
    }
}
