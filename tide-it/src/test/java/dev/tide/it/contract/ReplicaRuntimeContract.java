package dev.tide.it.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tide.common.time.ExecutorScheduler;
import dev.tide.common.time.Scheduler;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.Resources;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every replica runtime does, asserted the same way against each: Tide's process runtime and its Kubernetes
 * runtime run the same HTTP server for the same spec (Python's, on {@code $PORT}), and the autoscaler and the gateway
 * rely on nothing else. A subclass says how its runtime is made and how a spec reaches it.
 */
abstract class ReplicaRuntimeContract {

    static final Duration WAIT = Duration.ofSeconds(30);

    private ScheduledExecutorService timers;
    protected ExecutorService blocking;
    protected Scheduler scheduler;
    private ReplicaRuntime runtime;
    private final List<Replica> seen = new CopyOnWriteArrayList<>();
    /** Lets a test hold a leaving replica's drain, as the gateway does while requests are in flight. */
    private final AtomicReference<Runnable> held = new AtomicReference<>();
    private volatile boolean holdDrains;
    private final HttpClient http = HttpClient.newHttpClient();

    /** The runtime under test, its drain gate {@code gate}. */
    abstract ReplicaRuntime runtime(ReplicaRuntime.DrainGate gate) throws Exception;

    /** A spec running Python's HTTP server on the replica's port, in this runtime's terms (a command, or an image). */
    abstract ReplicaSpec httpServer(String revision);

    void close() throws Exception {
    }

    /** The parts every subclass's spec shares. */
    static ReplicaSpec spec(String revision, List<String> command, String image) {
        return new ReplicaSpec("contract", "web", "web", revision, command, List.of(), Map.of(), null, ProbeSpec.defaultReadiness(), null,
                Duration.ofSeconds(5), Duration.ofSeconds(2), null, false, Resources.NONE, List.of(), image, 0);
    }

    @BeforeEach
    void start() throws Exception {
        timers = Executors.newSingleThreadScheduledExecutor();
        blocking = Executors.newVirtualThreadPerTaskExecutor();
        scheduler = new ExecutorScheduler(timers);
        runtime = runtime((id, timeout, idle) -> {
            if (holdDrains) {
                held.set(idle);
            } else {
                idle.run();
            }
        });
        runtime.addListener(seen::add);
    }

    @AfterEach
    void stop() throws Exception {
        runtime.shutdown(Duration.ofSeconds(10));
        close();
        timers.shutdownNow();
        blocking.shutdownNow();
    }

    private Replica current(String id) {
        return runtime.replicas().stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
    }

    @Test
    void aStartedReplicaBecomesReadyAndAnswersHttpAtItsHostAndPort() throws Exception {
        Replica r = runtime.start(httpServer("web-00001"));
        assertThat(r.state()).isEqualTo(Replica.State.STARTING);
        assertThat(r.revision()).isEqualTo("web-00001");
        assertThat(r.namespace()).isEqualTo("contract");
        await().atMost(WAIT).until(() -> current(r.id()).state() == Replica.State.READY);
        Replica ready = current(r.id());
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://" + ready.host() + ":" + ready.port() + "/"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(seen).filteredOn(x -> x.id().equals(r.id())).extracting(Replica::state)
                .containsSubsequence(Replica.State.STARTING, Replica.State.READY);
    }

    @Test
    void aStoppedReplicaDrainsFirstThenStopsAndIsNoLongerListed() {
        holdDrains = true;
        Replica r = runtime.start(httpServer("web-00001"));
        await().atMost(WAIT).until(() -> current(r.id()).state() == Replica.State.READY);
        runtime.stop(r.id());
        await().atMost(WAIT).until(() -> held.get() != null);
        assertThat(current(r.id()).state()).as("routing drops it at once; it waits for its requests").isEqualTo(Replica.State.DRAINING);
        held.get().run();
        await().atMost(WAIT).until(() -> current(r.id()) == null);
        assertThat(seen).filteredOn(x -> x.id().equals(r.id())).extracting(Replica::state).last().isEqualTo(Replica.State.STOPPED);
    }

    @Test
    void replicasOfOneRevisionHaveTheirOwnIdsAndEndpoints() {
        Replica a = runtime.start(httpServer("web-00001"));
        Replica b = runtime.start(httpServer("web-00001"));
        assertThat(a.id()).isNotEqualTo(b.id());
        await().atMost(WAIT).until(() -> runtime.replicas().stream().filter(x -> x.state() == Replica.State.READY).count() == 2);
        assertThat(runtime.replicas()).extracting(x -> x.host() + ":" + x.port()).doesNotHaveDuplicates();
        assertThat(runtime.replicas()).extracting(Replica::id).isSorted();
    }
}
