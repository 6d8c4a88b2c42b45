package dev.tide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.config.ClusterConfig;
import dev.tide.api.naming.Names;
import dev.tide.common.time.Scheduler;
import dev.tide.controlplane.plan.RevisionPlan;
import dev.tide.controlplane.registry.Registry;
import dev.tide.dataplane.gateway.Endpoints;
import dev.tide.dataplane.gateway.RevisionEndpoint;
import dev.tide.dataplane.routing.RevisionKey;
import dev.tide.dataplane.routing.RoutingTable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Keeps the gateway's routing table and revision endpoints in step with the control plane's Routes (their resolved
 * {@code status.traffic}, tag URLs) and InferenceServices (their top-level host and model name), rebuilding the table
 * from the registry a few times a second. The data plane thus needs nothing from the control plane.
 *
 * <p>Threading: runs on the scheduler's thread; publishes immutable tables.
 */
final class RoutingFeed implements dev.tide.controlplane.reconciler.route.Ingress {

    static final long PERIOD_NANOS = Duration.ofMillis(200).toNanos();

    private final Registry registry;
    private final Endpoints endpoints;
    private final Scheduler scheduler;
    private final BiConsumer<String, String> poke;
    private final Function<RevisionKey, List<RevisionEndpoint.Backend>> readyBackends;
    private final java.util.function.Predicate<RevisionKey> activatorInPath;
    private final Function<RevisionKey, RevisionPlan> plans;
    /** Set when a revision's plan changed: the next refresh rebuilds even if the store did not change. */
    private volatile boolean plansChanged;
    private volatile boolean closed;
    /** The store version the current table was built from; -1 before the first build. Scheduler thread only. */
    private long builtFrom = -1;
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

    void start() {
        scheduler.schedule(this::refresh, 0);
    }

    void close() {
        closed = true;
    }

    /** A revision's plan changed (its timeout, or it is new): the next refresh rebuilds. */
    void planChanged() {
        plansChanged = true;
    }

    private void refresh() {
        if (closed) {
            return;
        }
        try {
            // Routes, InferenceServices and Revisions all live in the store: nothing changed, nothing to rebuild.
            long version = registry.store().resourceVersion();
            if (version != builtFrom || plansChanged) {
                plansChanged = false;
                rebuild();
                builtFrom = version;
            }
        } finally {
            scheduler.schedule(this::refresh, PERIOD_NANOS);
        }
    }

    void rebuild() {
        RoutingTable.Builder table = RoutingTable.builder();
        Map<String, List<RoutingTable.Target>> routeTargets = new LinkedHashMap<>();
        Map<String, String> nowProgrammed = new java.util.HashMap<>();
        Map<RevisionKey, RevisionEndpoint.Affinity> affinities = new java.util.HashMap<>();
        Set<RevisionKey> routed = new HashSet<>();
        for (ObjectNode route : registry.list(ResourceTypes.ROUTE, null).items()) {
            String ns = Meta.namespace(route);
            Map<String, Integer> split = new LinkedHashMap<>();
            for (JsonNode t : route.path("status").path("traffic")) {
                String rev = Json.text(t, "revisionName");
                if (rev == null) {
                    continue;
                }
                routed.add(new RevisionKey(ns, rev));
                // A Route inherits its Service's annotations, affinity among them.
                dev.tide.api.serving.v1.AffinityAnnotations.of(Meta.annotations(route)).ifPresent(a ->
                        affinities.put(new RevisionKey(ns, rev), new RevisionEndpoint.Affinity(a.cookieName(), a.maxAgeSeconds())));
                split.merge(rev, t.path("percent").asInt(0), Integer::sum);
                String tagUrl = Json.text(t, "url");
                if (tagUrl != null) {
                    table.host(host(tagUrl), List.of(new RoutingTable.Target(new RevisionKey(ns, rev), 100)));
                }
            }
            List<RoutingTable.Target> targets = new ArrayList<>();
            split.forEach((rev, pct) -> {
                if (pct > 0) {
                    targets.add(new RoutingTable.Target(new RevisionKey(ns, rev), pct));
                }
            });
            String url = Json.text(route.path("status"), "url");
            nowProgrammed.put(ns + "/" + Meta.name(route), route.path("status").path("traffic").toString());
            if (url != null && !targets.isEmpty()) {
                table.host(host(url), targets);
                routeTargets.put(ns + "/" + Meta.name(route), targets);
            }
        }
        for (ObjectNode isvc : registry.list(ResourceTypes.INFERENCE_SERVICE, null).items()) {
            String ns = Meta.namespace(isvc);
            String name = Meta.name(isvc);
            boolean transformer = isvc.path("spec").hasNonNull("transformer");
            List<RoutingTable.Target> targets = routeTargets.get(ns + "/" + Names.component(name, transformer ? "transformer" : "predictor"));
            String url = Json.text(isvc.path("status"), "url");
            if (targets != null && url != null) {
                table.host(host(url), targets);
                table.model(name, host(url));
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
                ep.setReplicas(readyBackends.apply(key));
                observers.watch(ep, plan.service(), plan.configuration());
                endpoints.put(ep);
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
        Map<String, String> before = programmed;
        programmed = Map.copyOf(nowProgrammed);
        nowProgrammed.forEach((route, traffic) -> {
            if (!traffic.equals(before.get(route))) {
                int slash = route.indexOf('/');
                routeProgrammed.accept(route.substring(0, slash), route.substring(slash + 1));
            }
        });
    }

    @Override
    public boolean programmed(String namespace, String route, JsonNode traffic) {
        return traffic.toString().equals(programmed.get(namespace + "/" + route));
    }

    private static String host(String url) {
        return URI.create(url).getHost();
    }
}
