package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tide.common.time.ExecutorScheduler;
import dev.tide.it.fixtures.FixtureServer;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.process.ProcessRuntime;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.junit.jupiter.api.io.TempDir;

/** Replicas as real local processes on real ports: the runtime contract, probes, crashes, drain and stop. */
class ProcessRuntimeIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path state;

    private ScheduledExecutorService timers;
    private ExecutorService blocking;
    private final List<ProcessRuntime> runtimes = new ArrayList<>();
    private final List<Replica> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        timers = Executors.newSingleThreadScheduledExecutor();
        blocking = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void tearDown() {
        runtimes.forEach(r -> r.shutdown(Duration.ofSeconds(10)));
        timers.shutdownNow();
        blocking.shutdownNow();
    }

    private ProcessRuntime runtime(ReplicaRuntime.DrainGate gate) {
        ProcessRuntime r = new ProcessRuntime(new ExecutorScheduler(timers), blocking, state, gate);
        r.addListener(events::add);
        runtimes.add(r);
        return r;
    }

    private static ReplicaSpec fixture(Map<String, String> env, ProbeSpec liveness, Duration grace, String... args) {
        List<String> command = FixtureServer.command();
        return new ReplicaSpec("default", "hello", "hello", "hello-00001", command, List.of(args), env, null,
                ProbeSpec.defaultReadiness(), liveness, Duration.ofSeconds(5), grace);
    }

    private static Replica awaitState(ReplicaRuntime rt, String id, Replica.State state) {
        AtomicReference<Replica> found = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            rt.replicas().stream().filter(r -> r.id().equals(id) && r.state() == state).findFirst().ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    @Test
    void runsWithTheKnativeRuntimeContractAndBecomesReady() throws Exception {
        ProcessRuntime rt = runtime(ReplicaRuntime.DrainGate.immediate());
        Replica started = rt.start(fixture(Map.of("DELAY", "10"), null, Duration.ofSeconds(5), "--sleep-ms", "$(DELAY)"));
        assertThat(started.state()).isEqualTo(Replica.State.STARTING);
        Replica ready = awaitState(rt, started.id(), Replica.State.READY);
        assertThat(get(ready.port(), "/")).startsWith("revision=hello-00001 pid=" + ready.pid() + " port=" + ready.port());
        assertThat(rt.output(started.id())).anyMatch(l -> l.contains("--sleep-ms 10")).as("$(DELAY) expanded")
                .anyMatch(l -> l.equals("fixture listening on " + ready.port()));
        assertThat(events).extracting(Replica::state).containsSubsequence(Replica.State.STARTING, Replica.State.READY);
    }

    @Test
    void aSlowStartIsReadyOnceItListens() {
        ProcessRuntime rt = runtime(ReplicaRuntime.DrainGate.immediate());
        Replica r = rt.start(fixture(Map.of(), null, Duration.ofSeconds(5), "--start-delay-ms", "1500"));
        awaitState(rt, r.id(), Replica.State.READY);
        // Ready comes from the probe's connection, which the port takes once bound; the fixture prints its line just
        // after binding, and the line reaches the replica's output through a pipe: it may come a moment later.
        await().atMost(WAIT).until(() -> rt.output(r.id()).stream().anyMatch(l -> l.startsWith("fixture listening on")));
    }

    @Test
    void aCrashIsReportedWithItsOutputAndTheReplicaReplaced() {
        ProcessRuntime rt = runtime(ReplicaRuntime.DrainGate.immediate());
        Replica r = rt.start(fixture(Map.of(), null, Duration.ofSeconds(5), "--crash-after-ms", "1500"));
        long firstPid = awaitState(rt, r.id(), Replica.State.READY).pid();
        Replica crashed = awaitState(rt, r.id(), Replica.State.CRASHED);
        assertThat(crashed.lastOutput()).contains("fixture crashing on purpose", "tide: process exited with code 3");
        assertThat(crashed.lastTermination()).isEqualTo(new Replica.Termination(3, Replica.Termination.ERROR, ""));
        assertThat(crashed.outputFrom()).as("still the crashed process's output").isZero();
        await().atMost(WAIT).until(() -> rt.replicas().stream().anyMatch(x -> x.id().equals(r.id()) && x.restarts() >= 1
                && x.pid() != firstPid && x.state() == Replica.State.READY));
        Replica again = rt.replicas().stream().filter(x -> x.id().equals(r.id())).findFirst().orElseThrow();
        // The new process's output starts after everything the first printed, Tide's exit line included.
        assertThat(rt.output(r.id(), 0).lines().subList(0, (int) again.outputFrom())).contains("fixture crashing on purpose")
                .last().isEqualTo("tide: process exited with code 3");
        assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aReplicaThatReachesItsMemoryLimitIsOomKilledAndRestarted() {
        ProcessRuntime rt = runtime(ReplicaRuntime.DrainGate.immediate());
        // 256 MiB written byte by byte, then a long wait; the limit is 64 MiB.
        Replica r = rt.start(new ReplicaSpec("default", "hog", "hog", "hog-00001",
                List.of("python3", "-c", "import time\nhog = b'x' * (256 << 20)\ntime.sleep(600)"), List.of(), Map.of(), null,
                ProbeSpec.defaultReadiness(), null, Duration.ofSeconds(5), Duration.ofSeconds(1), null, false, 64L << 20));
        Replica crashed = awaitState(rt, r.id(), Replica.State.CRASHED);
        assertThat(crashed.lastOutput()).as("%s", crashed.lastOutput())
                .anyMatch(l -> l.startsWith("tide: OOMKilled: resident memory ") && l.endsWith(
                        " reached resources.limits.memory 64.0 MiB; killing the process"))
                .contains("tide: process exited with code 137");
        assertThat(crashed.lastTermination().reason()).isEqualTo(Replica.Termination.OOM_KILLED);
        assertThat(crashed.lastTermination().exitCode()).isEqualTo(137);
        await().atMost(WAIT).until(() -> rt.replicas().stream().anyMatch(x -> x.id().equals(r.id()) && x.restarts() >= 1));
    }

    @Test
    void aFailingLivenessProbeRestartsTheReplica() {
        ProcessRuntime rt = runtime(ReplicaRuntime.DrainGate.immediate());
        ProbeSpec liveness = new ProbeSpec(new ProbeSpec.HttpGet("/healthz", 0), Duration.ZERO, Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, 2);
        Replica r = rt.start(fixture(Map.of(), liveness, Duration.ofSeconds(5), "--unhealthy-after-ms", "2000"));
        long firstPid = awaitState(rt, r.id(), Replica.State.READY).pid();
        await().atMost(WAIT).until(() -> rt.replicas().stream().anyMatch(x -> x.id().equals(r.id()) && x.restarts() >= 1
                && x.pid() != firstPid));
        assertThat(rt.output(r.id())).anyMatch(l -> l.startsWith("tide: liveness probe failed 2 times"));
        await().atMost(WAIT).until(() -> rt.replicas().stream().anyMatch(x -> x.id().equals(r.id()) && x.lastTermination() != null));
        assertThat(rt.replicas().stream().filter(x -> x.id().equals(r.id())).findFirst().orElseThrow().lastTermination())
                .isEqualTo(new Replica.Termination(137, Replica.Termination.ERROR, "liveness probe failed 2 times"));
    }

    @Test
    void stoppingDrainsFirstThenSignals() {
        List<Runnable> idle = new CopyOnWriteArrayList<>();
        ProcessRuntime rt = runtime((id, timeout, whenIdle) -> idle.add(whenIdle));
        Replica r = rt.start(fixture(Map.of(), null, Duration.ofSeconds(5)));
        long pid = awaitState(rt, r.id(), Replica.State.READY).pid();
        rt.stop(r.id());
        assertThat(rt.replicas()).extracting(Replica::state).containsExactly(Replica.State.DRAINING);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("alive while draining").isTrue();
        await().atMost(WAIT).until(() -> idle.size() == 1);
        idle.get(0).run();
        await().atMost(WAIT).until(() -> rt.replicas().isEmpty());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(events.get(events.size() - 1).state()).isEqualTo(Replica.State.STOPPED);
    }

    @Test
    void aProcessIgnoringSigtermIsKilledAfterTheGracePeriod() {
        ProcessRuntime rt = runtime(ReplicaRuntime.DrainGate.immediate());
        Replica r = rt.start(fixture(Map.of(), null, Duration.ofSeconds(1), "--ignore-sigterm"));
        long pid = awaitState(rt, r.id(), Replica.State.READY).pid();
        rt.stop(r.id());
        await().atMost(WAIT).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        await().atMost(WAIT).until(() -> rt.replicas().isEmpty());
        assertThat(events).anyMatch(e -> e.state() == Replica.State.STOPPED
                && e.lastOutput().contains("tide: still running 1s after SIGTERM; killing"));
    }

    @Test
    void shutdownLeavesNoProcessBehind() {
        ProcessRuntime rt = runtime(ReplicaRuntime.DrainGate.immediate());
        List<Long> pids = new ArrayList<>();
        List<String[]> argsPerReplica = List.of(new String[] {"--ignore-sigterm"}, new String[] {"--sleep-ms", "1"}, new String[] {});
        for (String[] args : argsPerReplica) {
            Replica r = rt.start(fixture(Map.of(), null, Duration.ofSeconds(2), args));
            pids.add(awaitState(rt, r.id(), Replica.State.READY).pid());
        }
        rt.shutdown(Duration.ofSeconds(10));
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d", pid).isFalse();
        }
        assertThat(rt.replicas()).isEmpty();
    }

    @Test
    void aRestartedRuntimeKillsTheStraysOfACrashedOne() {
        ProcessRuntime crashed = new ProcessRuntime(new ExecutorScheduler(timers), blocking, state, ReplicaRuntime.DrainGate.immediate());
        Replica r = crashed.start(fixture(Map.of(), null, Duration.ofSeconds(2)));
        long pid = awaitState(crashed, r.id(), Replica.State.READY).pid();
        // The first runtime is never shut down, as if Tide had been killed with -9.
        runtime(ReplicaRuntime.DrainGate.immediate());
        await().atMost(WAIT).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void aCommandThatCannotStartIsReported() {
        ProcessRuntime rt = runtime(ReplicaRuntime.DrainGate.immediate());
        Replica r = rt.start(new ReplicaSpec("default", "x", "x", "x-00001", List.of("/nonexistent/tide-test-binary"), List.of(),
                Map.of(), null, ProbeSpec.defaultReadiness(), null, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        Replica crashed = awaitState(rt, r.id(), Replica.State.CRASHED);
        assertThat(crashed.lastOutput()).anyMatch(l -> l.startsWith("tide: cannot start /nonexistent/tide-test-binary"));
        assertThat(crashed.lastTermination().reason()).isEqualTo(Replica.Termination.START_ERROR);
        assertThat(crashed.pid()).isEqualTo(-1);
    }
}
