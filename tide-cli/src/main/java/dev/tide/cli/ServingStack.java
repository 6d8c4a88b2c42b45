package dev.tide.cli;

import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.common.time.ExecutorScheduler;
import dev.tide.common.time.Scheduler;
import dev.tide.cli.dashboard.MetricsHistory;
import dev.tide.common.time.Ticker;
import dev.tide.controlplane.reconciler.Controller;
import dev.tide.controlplane.registry.Registry;
import dev.tide.controlplane.events.EventRecorder;
import dev.tide.controlplane.plan.RevisionPlan;
import dev.tide.controlplane.plan.RevisionPlanner;
import dev.tide.controlplane.pods.PodView;
import dev.tide.controlplane.scaling.ReplicaEvents;
import dev.tide.controlplane.scaling.ScalingDriver;
import dev.tide.controlplane.serving.ModelServing;
import dev.tide.controlplane.serving.ReplicaUsers;
import dev.tide.dataplane.gateway.ClientLimits;
import dev.tide.dataplane.gateway.Endpoints;
import dev.tide.dataplane.gateway.Gateway;
import dev.tide.dataplane.gateway.RevisionEndpoint;
import dev.tide.dataplane.gateway.Transport;
import dev.tide.dataplane.routing.RevisionKey;
import dev.tide.dataplane.stats.RequestStats;
import dev.tide.runtime.PlacedRuntime;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.process.ProcessRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The serving half of a running Tide, wired: replicas as local processes, the gateway in front of them, the
 * autoscaler between, and the routing feed from the control plane. Owns its threads (event loops, one timer thread,
 * virtual threads for blocking work).
 */
final class ServingStack implements AutoCloseable {

    private final EventLoopGroup loops;
    private final ScheduledExecutorService timers;
    private final ExecutorService blocking;
    private final ReplicaRuntime runtime;
    private final Gateway gateway;
    private final ScalingDriver driver;
    private final RevisionPlanner planner;
    private final RoutingFeed feed;
    private final Scheduler scheduler;
    private final RevisionObservers observers;
    private final MetricsHistory history;
    private final PodView pods;
    private volatile boolean closed;

    private ServingStack(EventLoopGroup loops, ScheduledExecutorService timers, ExecutorService blocking, ReplicaRuntime runtime,
                         Gateway gateway, ScalingDriver driver, RevisionPlanner planner, RoutingFeed feed, Scheduler scheduler,
                         RevisionObservers observers, MetricsHistory history, PodView pods) {
        this.pods = pods;
        this.planner = planner;
        this.scheduler = scheduler;
        this.observers = observers;
        this.history = history;
        this.loops = loops;
        this.timers = timers;
        this.blocking = blocking;
        this.runtime = runtime;
        this.gateway = gateway;
        this.driver = driver;
        this.feed = feed;
    }

    /**
     * @param clients      what one client may hold of the ingress
     * @param controller   set once the controller exists: replica changes requeue their revision's status
     * @param ingressBound told the ingress's port once it listens, before any revision is configured
     * @param users        who replicas run as
     * @param process      what every replica process starts from
     * @param cluster      where image-only containers run as pods, or {@code null} for this machine only
     */
    static ServingStack create(Registry registry, InstantSource clock, Path dataDir, String bind, int httpPort, ClientLimits clients,
                               AtomicReference<Controller> controller, ModelServing models, MeterRegistry meters,
                               java.util.function.IntConsumer ingressBound, ReplicaUsers users, ProcessRuntime.Settings process,
                               ServerConfig.Cluster cluster)
            throws InterruptedException {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, Transport.best().ioHandlers());
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("tide-timers").factory());
        ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
        Scheduler scheduler = new ExecutorScheduler(timers);
        Endpoints endpoints = new Endpoints();
        Map<String, RevisionKey> replicaRevisions = new ConcurrentHashMap<>();
        // The autoscaler's last word on each revision's activator, for endpoints the routing feed makes later.
        Map<RevisionKey, Boolean> activatorInPath = new ConcurrentHashMap<>();
        ReplicaRuntime.DrainGate drainGate = (replicaId, timeout, idle) -> awaitIdle(endpoints, replicaRevisions.get(replicaId), replicaId,
                scheduler, scheduler.ticker().nanos() + timeout.toNanos(), idle);
        ProcessRuntime local = new ProcessRuntime(scheduler, blocking, dataDir.resolve("runtime"), drainGate, process);
        ReplicaRuntime runtime = cluster == null ? local
                : new PlacedRuntime(local, cluster.runtime(scheduler, blocking, drainGate, dataDir));
        MetricsHistory history = new MetricsHistory(meters, runtime::replicas);
        EventRecorder events = new EventRecorder(registry, clock, blocking);
        ScalingDriver.RevisionLoad load = new ScalingDriver.RevisionLoad() {
            @Override
            public double[] report(String ns, String rev, long now) {
                RevisionEndpoint ep = endpoints.get(new RevisionKey(ns, rev));
                if (ep == null) {
                    return new double[] {0, 0};
                }
                RequestStats.Report r = ep.stats().report(now);
                return new double[] {r.concurrency(), r.requestsPerSecond()};
            }

            @Override
            public int inFlight(String ns, String rev, String replicaId) {
                RevisionEndpoint ep = endpoints.get(new RevisionKey(ns, rev));
                return ep == null ? 0 : ep.inFlight(replicaId);
            }

            @Override
            public double[] usage(String ns, String rev) {
                return history.usage(ns, rev);
            }

            @Override
            public void activatorInPath(String ns, String rev, boolean inPath) {
                activatorInPath.put(new RevisionKey(ns, rev), inPath);
                RevisionEndpoint ep = endpoints.get(new RevisionKey(ns, rev));
                if (ep != null) {
                    ep.setActivatorInPath(inPath);
                }
            }
        };
        ScalingDriver driver = new ScalingDriver(runtime, load, scheduler, clock,
                (ns, rev) -> requeue(controller, ResourceTypes.REVISION, ns, rev), meters,
                new ForecastFiles(dataDir.resolve("forecasts"), blocking), events.source("tide-autoscaler"));
        // The pods' view first: a replica's events then go to its pod too.
        PodView pods = new PodView(registry, clock, nodeName());
        pods.attach(runtime);
        runtime.addListener(new ReplicaEvents(registry, events.source("tide-runtime"),
                id -> pods.ofReplica(id).map(EventRecorder.Reference::of)));
        RevisionObservers observers = new RevisionObservers(meters);
        // The routing feed makes endpoints from each revision's plan, as the planner last pushed it.
        AtomicReference<RevisionPlanner> plannerRef = new AtomicReference<>();
        RoutingFeed feed = new RoutingFeed(registry, endpoints, scheduler, driver::poke, key -> readyBackends(runtime, key),
                key -> activatorInPath.getOrDefault(key, true), key -> plannerRef.get().plan(key.namespace(), key.name()),
                (ns, route) -> requeue(controller, ResourceTypes.ROUTE, ns, route), observers);
        RevisionPlanner planner = new RevisionPlanner(registry, models, users, registry.placement(), new RevisionPlanner.Listener() {
            @Override
            public void planned(RevisionPlan plan) {
                driver.planned(plan);
                feed.planChanged();
            }

            @Override
            public void removed(String namespace, String revision) {
                driver.removed(namespace, revision);
                feed.planChanged();
            }
        });
        plannerRef.set(planner);
        runtime.addListener(replica -> {
            RevisionKey key = new RevisionKey(replica.namespace(), replica.revision());
            replicaRevisions.put(replica.id(), key);
            RevisionEndpoint ep = endpoints.get(key);
            if (ep != null) {
                ep.refreshReplicas(() -> readyBackends(runtime, key));
            }
            requeue(controller, ResourceTypes.REVISION, replica.namespace(), replica.revision());
        });
        Gateway gateway = new Gateway(endpoints, loops, new InetSocketAddress(bind, httpPort), Ticker.system(), new SplittableRandom(),
                clients).start();
        ingressBound.accept(gateway.port());
        driver.start();
        planner.start(Thread.ofVirtual().name("tide-planner-", 0).factory());
        feed.start(Thread.ofVirtual().name("tide-routing-feed-", 0).factory());
        ServingStack stack = new ServingStack(loops, timers, blocking, runtime, gateway, driver, planner, feed, scheduler, observers,
                history, pods);
        stack.sampleEverySecond(clock);
        return stack;
    }

    ScalingDriver driver() {
        return driver;
    }

    /** The dashboard's last hour of metrics. */
    MetricsHistory history() {
        return history;
    }

    ReplicaRuntime runtime() {
        return runtime;
    }

    /**
     * Samples the dashboard's history once a second, on a blocking thread (it reads /proc for every replica), never on
     * the timer thread that runs request deadlines. The next sample is scheduled when this one ends, so none overlap.
     */
    private void sampleEverySecond(InstantSource clock) {
        if (closed) {
            return;
        }
        blocking.execute(() -> {
            try {
                history.sample(clock.instant().getEpochSecond());
            } finally {
                scheduler.schedule(() -> sampleEverySecond(clock), 1_000_000_000L);
            }
        });
    }

    /** What the Route reconciler asks before calling a Route ready. */
    dev.tide.controlplane.reconciler.route.Ingress ingress() {
        return feed;
    }

    int httpPort() {
        return gateway.port();
    }

    /** Serves revision logs on the API port. */
    /** The replicas as Pods, for the API. */
    PodView pods() {
        return pods;
    }

    /** This machine's name, which the pods give as their node: the kernel's host name, without a DNS lookup. */
    private static String nodeName() {
        try {
            String name = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return name.isEmpty() ? "localhost" : name;
        } catch (java.io.IOException | RuntimeException e) {
            return "localhost";
        }
    }

    RevisionLogs logs() {
        return new RevisionLogs(runtime, scheduler, observers);
    }

    private static void requeue(AtomicReference<Controller> controller, ResourceType type, String ns, String name) {
        Controller c = controller.get();
        if (c != null) {
            c.requeue(type, ns, name);
        }
    }

    static List<RevisionEndpoint.Backend> readyBackends(ReplicaRuntime runtime, RevisionKey key) {
        return runtime.replicas().stream()
                .filter(r -> r.namespace().equals(key.namespace()) && r.revision().equals(key.name()) && r.routable())
                .map(r -> new RevisionEndpoint.Backend(r.id(), r.host(), r.port())).toList();
    }

    /** Polls every 50 ms until the replica has no request in flight or the deadline passes. */
    private static void awaitIdle(Endpoints endpoints, RevisionKey key, String replicaId, Scheduler scheduler, long deadlineNanos,
                                  Runnable idle) {
        RevisionEndpoint ep = key == null ? null : endpoints.get(key);
        if (ep == null || ep.inFlight(replicaId) == 0 || scheduler.ticker().nanos() >= deadlineNanos) {
            idle.run();
            return;
        }
        scheduler.schedule(() -> awaitIdle(endpoints, key, replicaId, scheduler, deadlineNanos, idle), 50_000_000L);
    }

    /** Stops taking connections, stops scaling, drains and stops every replica, then the threads. */
    @Override
    public void close() {
        closed = true;
        gateway.close();
        planner.close();
        feed.close();
        driver.close();
        runtime.shutdown(Duration.ofSeconds(30));
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        timers.shutdownNow();
        blocking.shutdownNow();
    }

}
