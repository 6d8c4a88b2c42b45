package dev.tide.cli;

import dev.tide.api.Json;
import dev.tide.cli.dashboard.DashboardHandler;
import dev.tide.cli.dashboard.DashboardLogin;
import dev.tide.cli.security.ApiAccess;
import dev.tide.cli.security.ReplicaIsolation;
import dev.tide.controlplane.serving.ReplicaUsers;
import dev.tide.common.time.Ticker;
import dev.tide.controlplane.apiserver.ApiServer;
import dev.tide.controlplane.reconciler.Controller;
import dev.tide.controlplane.reconciler.configuration.ConfigurationReconciler;
import dev.tide.controlplane.reconciler.inferenceservice.InferenceServiceReconciler;
import dev.tide.controlplane.reconciler.revision.RevisionReconciler;
import dev.tide.controlplane.reconciler.route.RouteReconciler;
import dev.tide.controlplane.reconciler.service.ServiceReconciler;
import dev.tide.controlplane.registry.ClusterConfigSource;
import dev.tide.controlplane.registry.Registry;
import dev.tide.modelserver.storage.ModelCache;
import dev.tide.store.DefaultStore;
import dev.tide.dataplane.gateway.ClientLimits;
import dev.tide.store.file.FileJournal;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/** A running Tide: the store, the registry, the reconcilers and the API, wired together. */
final class TideServer implements AutoCloseable {

    /**
     * Reconciles that may run at once: one per core, at least two so a slow reconcile does not hold up the rest, at
     * most eight, past which writes to the same objects mostly conflict.
     */
    private static final int CONTROLLER_WORKERS = Math.clamp(Runtime.getRuntime().availableProcessors(), 2, 8);

    private final DefaultStore store;
    private final Controller controller;
    private final ApiServer api;
    private final ExecutorService requests;
    private final ServingStack serving;
    private final ApiAccess access;
    /** Replicas' cgroups, or {@code null}: Tide's own directory of them goes at close. */
    private final dev.tide.runtime.process.Cgroups cgroups;

    private TideServer(DefaultStore store, Controller controller, ApiServer api, ExecutorService requests, ServingStack serving,
                       ApiAccess access, dev.tide.runtime.process.Cgroups cgroups) {
        this.access = access;
        this.cgroups = cgroups;
        this.store = store;
        this.controller = controller;
        this.api = api;
        this.requests = requests;
        this.serving = serving;
    }

    /**
     * The API's server (the JDK's) takes its client limits from system properties, read once when it is first used:
     * the connection cap (beyond it a new connection is closed at once), the time a request may take to arrive
     * (whole seconds; a watch is not cut, as the limit ends when the request has been read) and the idle time of a
     * keep-alive connection. Its header limits are its own: 200 fields, 384 KiB.
     */
    private static void limitApiClients(ClientLimits clients) {
        System.setProperty("jdk.httpserver.maxConnections", Integer.toString(clients.maxConnections()));
        System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(Math.max(1, clients.headTimeout().toSeconds())));
        System.setProperty("sun.net.httpserver.idleInterval", Long.toString(Math.max(1, clients.idleTimeout().toSeconds())));
    }

    /** Where a replica on this machine reaches a listener bound to {@code bind}: the address itself, or loopback for a wildcard. */
    static String loopbackFor(String bind) {
        return bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]") ? "127.0.0.1"
                : bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
    }

    static TideServer start(ServerConfig config, String version) throws IOException {
        ServerConfig.Security sec = config.security();
        ApiAccess prepared = ApiAccess.prepare(new ApiAccess.Settings(config.bind(), config.dataDir(), sec.tokenAuthFile(),
                sec.tlsCertFile(), sec.tlsKeyFile(), sec.apiHosts(), sec.anonymous()), Ticker.system());
        ReplicaUsers users = ReplicaIsolation.users(sec.replicaUser());
        dev.tide.runtime.process.Cgroups cgroups = ReplicaIsolation.cgroups(sec.replicaCgroups());
        // A configuration's revisions are found by their label at every reconcile: indexed, not scanned.
        DefaultStore store = new DefaultStore(FileJournal.open(config.dataDir()),
                java.util.Set.of(dev.tide.api.serving.v1.ServingLabels.CONFIGURATION));
        ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
        limitApiClients(config.clients());
        ApiServer api = null;
        try {
            InstantSource clock = InstantSource.system();
            Registry registry = new Registry(store, clock, new ClusterConfigSource(store, config.domain()),
                    () -> UUID.randomUUID().toString(),
                    new dev.tide.controlplane.serving.Placement(ReplicaIsolation.limits(cgroups), config.cluster() != null));
            // The API listens (without serving yet) before anything runs, so that its port is known to the model storage
            // rule before the first revision is configured.
            try {
                api = new ApiServer(registry, clock, Ticker.system(), new InetSocketAddress(config.bind(), config.apiPort()),
                        requests, version, prepared.guard(), prepared.tls());
            } catch (java.net.BindException e) {
                throw new IllegalStateException("cannot listen on " + config.bind() + ":" + config.apiPort()
                        + " (" + e.getMessage() + "): is another Tide running? Choose another port with --api-port", e);
            }
            int apiPort = api.port();
            java.util.concurrent.atomic.AtomicInteger ingressPort = new java.util.concurrent.atomic.AtomicInteger();
            java.util.function.Supplier<java.util.Set<Integer>> tidePorts = () -> ingressPort.get() == 0
                    ? java.util.Set.of(apiPort) : java.util.Set.of(apiPort, ingressPort.get());
            AtomicReference<Controller> controllerRef = new AtomicReference<>();
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(meters);
            new ProcessorMetrics().bindTo(meters);
            ServingStack serving;
            try {
                serving = ServingStack.create(registry, clock, config.dataDir(), config.bind(), config.httpPort(), config.clients(), controllerRef,
                        ModelServerLauncher.forThisJvm(config, tidePorts, () -> ingressPort.get() == 0 ? ""
                                : "http://" + loopbackFor(config.bind()) + ":" + ingressPort.get()), meters, ingressPort::set, users,
                        ReplicaIsolation.processSettings(System.getenv(), cgroups), config.cluster());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the ingress", e);
            } catch (RuntimeException e) {
                if (e.getCause() instanceof java.net.BindException || e instanceof io.netty.channel.ChannelException) {
                    throw new IllegalStateException("cannot listen on " + config.bind() + ":" + config.httpPort()
                            + " for the ingress: is another Tide running? Choose another port with --http-port", e);
                }
                throw e;
            }
            Controller controller = new Controller(registry, List.of(
                    new ServiceReconciler(registry, clock),
                    new ConfigurationReconciler(registry, clock),
                    new RevisionReconciler(registry, clock, serving.driver()),
                    new RouteReconciler(registry, clock, serving.ingress()),
                    new InferenceServiceReconciler(registry, clock)),
                    // Platform threads, not virtual: a reconcile is CPU work that never yields, and on virtual threads
                    // two of them held both carriers the API's requests run on, so kubectl waited behind them (1,000
                    // Services took kubectl 5.6 s to send instead of 3.1 s).
                    Thread.ofPlatform().daemon().name("tide-controller-", 0).factory(), CONTROLLER_WORKERS);
            controllerRef.set(controller);
            controller.start();
            api.servePods(serving.pods());
            api.addContext("/logs/", serving.logs());
            api.addContext("/metrics/targets", new ScrapeTargets(serving.runtime()));
            api.addContext("/metrics", new MetricsEndpoint(meters));
            // A view for listing: no fetchers, so no HTTP client or its thread; the model servers fetch.
            ModelCache cache = new ModelCache(config.modelCache(), ModelCache.Limits.DEFAULT.withQuota(config.cacheQuotaBytes()),
                    Map.of(), config.volumes(), clock, Json.MAPPER);
            // The shared model cache as it is on disk when scraped (hits and misses are each model server's /metrics).
            io.micrometer.core.instrument.Gauge.builder("tide_model_cache_bytes", cache, c -> cacheTotal(c, true))
                    .description("Bytes of models in the shared model cache").strongReference(true).register(meters);
            io.micrometer.core.instrument.Gauge.builder("tide_model_cache_models", cache, c -> cacheTotal(c, false))
                    .description("Models in the shared model cache").strongReference(true).register(meters);
            api.addContext("/dashboard", new DashboardHandler(registry, serving.history(), serving.runtime(), serving.pods(),
                    URI.create("http://" + (config.bind().equals("0.0.0.0") ? "127.0.0.1" : config.bind()) + ":" + serving.httpPort()),
                    cache::list, Ticker.system(), new DashboardLogin(prepared.guard().tokens(), prepared.sessions(), prepared.tls() != null)));
            api.start();
            return new TideServer(store, controller, api, requests, serving, prepared.listening(config.bind(), api.port()), cgroups);
        } catch (IOException | RuntimeException e) {
            if (api != null) {
                api.close();
            }
            requests.shutdownNow();
            store.close();
            throw e;
        }
    }

    private static double cacheTotal(ModelCache cache, boolean bytes) {
        try {
            return cache.list().stream().mapToDouble(e -> bytes ? e.bytes() : 1).sum();
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    int apiPort() {
        return api.port();
    }

    /** The API's URL as clients on this machine reach it. */
    java.net.URI apiUrl() {
        return access.url();
    }

    ApiAccess access() {
        return access;
    }

    int httpPort() {
        return serving.httpPort();
    }

    @Override
    public void close() {
        serving.close();
        if (cgroups != null) {
            cgroups.close(); // after the replicas: their groups are gone
        }
        api.close();
        controller.close();
        requests.shutdownNow();
        store.close();
    }
}
