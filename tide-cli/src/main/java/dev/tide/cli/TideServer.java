package dev.tide.cli;

import dev.tide.common.time.Ticker;
import dev.tide.controlplane.apiserver.ApiServer;
import dev.tide.controlplane.reconciler.Controller;
import dev.tide.controlplane.reconciler.configuration.ConfigurationReconciler;
import dev.tide.controlplane.reconciler.inferenceservice.InferenceServiceReconciler;
import dev.tide.controlplane.reconciler.revision.RevisionReconciler;
import dev.tide.controlplane.reconciler.revision.RevisionRuntime;
import dev.tide.controlplane.reconciler.route.RouteReconciler;
import dev.tide.controlplane.reconciler.service.ServiceReconciler;
import dev.tide.controlplane.registry.ClusterConfigSource;
import dev.tide.controlplane.registry.Registry;
import dev.tide.store.DefaultStore;
import dev.tide.store.file.FileJournal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A running Tide: the store, the registry, the reconcilers and the API, wired together. */
final class TideServer implements AutoCloseable {

    private final DefaultStore store;
    private final Controller controller;
    private final ApiServer api;
    private final ExecutorService requests;

    private TideServer(DefaultStore store, Controller controller, ApiServer api, ExecutorService requests) {
        this.store = store;
        this.controller = controller;
        this.api = api;
        this.requests = requests;
    }

    static TideServer start(ServerConfig config, String version) throws IOException {
        DefaultStore store = new DefaultStore(FileJournal.open(config.dataDir()));
        try {
            InstantSource clock = InstantSource.system();
            Registry registry = new Registry(store, clock, new ClusterConfigSource(store, config.domain()),
                    () -> UUID.randomUUID().toString());
            Controller controller = new Controller(registry, List.of(
                    new ServiceReconciler(registry, clock),
                    new ConfigurationReconciler(registry, clock),
                    new RevisionReconciler(registry, clock, RevisionRuntime.none()),
                    new RouteReconciler(registry, clock),
                    new InferenceServiceReconciler(registry, clock)),
                    Thread.ofVirtual().name("tide-controller-", 0).factory());
            controller.start();
            ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
            ApiServer api;
            try {
                api = new ApiServer(registry, clock, Ticker.system(), new InetSocketAddress(config.bind(), config.apiPort()),
                        requests, version);
            } catch (java.net.BindException e) {
                controller.close();
                throw new IllegalStateException("cannot listen on " + config.bind() + ":" + config.apiPort()
                        + " (" + e.getMessage() + "): is another Tide running? Choose another port with --api-port", e);
            }
            api.start();
            return new TideServer(store, controller, api, requests);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    int apiPort() {
        return api.port();
    }

    boolean awaitIdle(Duration timeout) throws InterruptedException {
        return controller.awaitIdle(timeout);
    }

    @Override
    public void close() {
        api.close();
        controller.close();
        requests.shutdownNow();
        store.close();
    }
}
