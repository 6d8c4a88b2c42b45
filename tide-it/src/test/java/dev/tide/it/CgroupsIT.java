package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.tide.common.time.ExecutorScheduler;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.Resources;
import dev.tide.runtime.process.Cgroups;
import dev.tide.runtime.process.ProcessRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas in this machine's real cgroups (v2, or v1's memory and cpu hierarchies; skipped where Tide can make none):
 * the kernel's OOM killer ends a replica at its memory limit, CFS throttles a busy one to its CPU limit, and a
 * stopped replica's cgroup goes.
 */
class CgroupsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path state;

    private ScheduledExecutorService timers;
    private ExecutorService blocking;
    private ProcessRuntime runtime;
    private Cgroups cgroups;

    @BeforeEach
    void setUp() {
        Cgroups.Detection d = Cgroups.detect(Path.of("/proc/self/mounts"), Path.of("/proc/self/cgroup"), ProcessHandle.current().pid());
        assumeThat(d.cgroups()).as("this host gives Tide cgroups: %s", d.why()).isPresent();
        cgroups = d.cgroups().get();
        timers = Executors.newSingleThreadScheduledExecutor();
        blocking = Executors.newVirtualThreadPerTaskExecutor();
        runtime = new ProcessRuntime(new ExecutorScheduler(timers), blocking, state, ReplicaRuntime.DrainGate.immediate(),
                new ProcessRuntime.Settings(Map.of("PATH", System.getenv("PATH")), null, cgroups));
    }

    @AfterEach
    void tearDown() {
        if (runtime != null) {
            runtime.shutdown(Duration.ofSeconds(10));
            cgroups.close();
            timers.shutdownNow();
            blocking.shutdownNow();
        }
    }

    private Replica start(String name, String program, Resources resources) {
        return runtime.start(new ReplicaSpec("default", name, name, name + "-00001", List.of("python3", "-c", program), List.of(),
                Map.of(), null, ProbeSpec.defaultReadiness(), null, Duration.ofSeconds(5), Duration.ofSeconds(1), null, false, resources, List.of()));
    }

    private Replica current(String id) {
        return runtime.replicas().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void theKernelOomKillsAReplicaAtItsMemoryLimit() {
        // 256 MiB at once; the limit is 64 MiB. Tide measures nothing here: the kernel stops the process at the page.
        Replica r = start("hog", "import time\nhog = b'x' * (256 << 20)\ntime.sleep(600)", Resources.memory(64L << 20));
        await().atMost(WAIT).until(() -> current(r.id()).lastTermination() != null);
        Replica crashed = current(r.id());
        assertThat(crashed.lastTermination().reason()).isEqualTo(Replica.Termination.OOM_KILLED);
        assertThat(crashed.lastTermination().exitCode()).isEqualTo(137);
        assertThat(crashed.lastTermination().message()).isEqualTo("the kernel's OOM killer ended it at resources.limits.memory 64.0 MiB");
        assertThat(runtime.output(r.id())).contains("tide: OOMKilled: the kernel killed the process at resources.limits.memory 64.0 MiB ("
                + cgroups.version() + ")").noneMatch(l -> l.startsWith("tide: OOMKilled: resident memory"));
    }

    @Test
    void aBusyReplicaIsThrottledToItsCpuLimitAndItsCgroupGoesWhenItStops() throws IOException {
        assumeThat(cgroups.cpu()).as("a CPU controller").isTrue();
        Replica r = start("busy", "while True:\n    pass", new Resources(0, 200, 200));
        long pid = r.pid(); // never ready (it listens nowhere), and need not be
        // The process joins its cgroup as its first step, before the program runs.
        await().atMost(WAIT).until(() -> cgroupDir(pid, "cpu").getFileName().toString().startsWith("busy-00001-"));
        Path cpu = cgroupDir(pid, "cpu");
        assertThat(cpu.getParent().getFileName().toString()).matches("tide-(replicas-)?" + ProcessHandle.current().pid());
        // Throttled in 20 periods of 100 ms: two seconds in which it may run 200 ms per period, 0.2 of a core.
        await().atMost(WAIT).until(() -> stat(cpu, "nr_throttled") >= 20);
        ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
        double seconds = Duration.between(p.info().startInstant().orElseThrow(), Instant.now()).toNanos() / 1e9;
        double used = p.info().totalCpuDuration().orElseThrow().toNanos() / 1e9;
        assertThat(used / seconds).as("cores used: %.2f s of CPU in %.2f s", used, seconds).isLessThan(0.35);

        runtime.stop(r.id());
        await().atMost(WAIT).until(() -> runtime.replicas().stream().noneMatch(x -> x.id().equals(r.id())));
        assertThat(cpu).as("removed with its replica").doesNotExist();
    }

    /** The replica's cgroup in the hierarchy of {@code controller} (v1), or its only one (v2). */
    private Path cgroupDir(long pid, String controller) throws IOException {
        boolean v2 = cgroups.version() == Cgroups.Version.V2;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            if (v2 ? f[0].equals("0") : List.of(f[1].split(",")).contains(controller)) {
                return mountOf(v2 ? null : controller).resolve(f[2].substring(1));
            }
        }
        throw new AssertionError("pid " + pid + " is in no " + controller + " cgroup");
    }

    private static Path mountOf(String controller) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (controller == null ? f[2].equals("cgroup2") : f[2].equals("cgroup") && List.of(f[3].split(",")).contains(controller)) {
                return Path.of(f[1]);
            }
        }
        throw new AssertionError("no cgroup mount for " + controller);
    }

    private static long stat(Path cgroup, String key) throws IOException {
        for (String line : Files.readAllLines(cgroup.resolve("cpu.stat"))) {
            if (line.startsWith(key + " ")) {
                return Long.parseLong(line.substring(key.length() + 1).strip());
            }
        }
        return 0;
    }
}
