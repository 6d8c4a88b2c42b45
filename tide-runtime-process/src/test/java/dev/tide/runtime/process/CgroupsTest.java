package dev.tide.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.runtime.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cgroups on directory trees laid out as the kernel's v1 and v2 hierarchies are (plain files standing in for the
 * kernel's): what is found, which files a replica's limits write, the OOM count, and a real {@code sh} joining a
 * group. {@code ProcessRuntimeIT} runs replicas in this machine's real cgroups.
 */
class CgroupsTest {

    private static final long PID = 4242;

    @TempDir
    Path root;

    private Path v1() throws IOException {
        for (String c : List.of("memory", "cpu,cpuacct")) {
            Files.createDirectories(root.resolve(c).resolve("user.slice"));
        }
        Files.writeString(root.resolve("mounts"), "proc /proc proc rw 0 0\n"
                + "cgroup " + root.resolve("memory") + " cgroup rw,nosuid,memory 0 0\n"
                + "cgroup " + root.resolve("cpu,cpuacct") + " cgroup rw,nosuid,cpu,cpuacct 0 0\n"
                + "cgroup2 " + root.resolve("unified") + " cgroup2 rw 0 0\n");
        Files.createDirectories(root.resolve("unified"));
        Files.writeString(root.resolve("unified/cgroup.controllers"), "\n"); // hybrid: v2 offers nothing
        Files.writeString(root.resolve("cgroup"), "5:memory:/user.slice\n4:cpu,cpuacct:/user.slice\n0::/\n");
        return root.resolve("mounts");
    }

    private Path v2(String controllers) throws IOException {
        Path self = root.resolve("fs/system.slice/tide.service");
        Files.createDirectories(self);
        Files.writeString(self.resolve("cgroup.controllers"), controllers + "\n");
        Files.writeString(self.resolve("cgroup.subtree_control"), "\n");
        Files.writeString(root.resolve("mounts"), "cgroup2 " + root.resolve("fs") + " cgroup2 rw,nosuid 0 0\n");
        Files.writeString(root.resolve("cgroup"), "0::/system.slice/tide.service\n");
        return root.resolve("mounts");
    }

    @Test
    void onV1ReplicasGoBelowTidesOwnMemoryAndCpuCgroups() throws IOException {
        Cgroups c = Cgroups.detect(v1(), root.resolve("cgroup"), PID).cgroups().orElseThrow();
        assertThat(c.version()).isEqualTo(Cgroups.Version.V1);
        assertThat(c.memory()).isTrue();
        assertThat(c.cpu()).isTrue();
        Cgroups.Group g = c.create("hello-00001-1", new Resources(64L << 20, 250, 250));
        Path memory = only(root.resolve("memory/user.slice/tide-" + PID));
        Path cpu = only(root.resolve("cpu,cpuacct/user.slice/tide-" + PID));
        assertThat(memory.getFileName().toString()).startsWith("hello-00001-1.");
        assertThat(Files.readString(memory.resolve("memory.limit_in_bytes"))).isEqualTo("67108864");
        assertThat(memory.resolve("memory.memsw.limit_in_bytes")).as("set only where the kernel has swap accounting").doesNotExist();
        assertThat(Files.readString(cpu.resolve("cpu.cfs_period_us"))).isEqualTo("100000");
        assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us"))).isEqualTo("25000");
        assertThat(Files.readString(cpu.resolve("cpu.shares"))).isEqualTo("256");
        assertThat(g.memoryLimitBytes()).isEqualTo(64L << 20);
        assertThat(g.enter(List.of("serve", "--port", "1"))).containsSubsequence("sh", "-c").endsWith(
                "tide-cgroup", memory.resolve("cgroup.procs").toString(), cpu.resolve("cgroup.procs").toString(), "--",
                "serve", "--port", "1");

        assertThat(g.oomKills()).isZero();
        Files.writeString(memory.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        assertThat(g.oomKills()).isEqualTo(3);

        g.remove();
        assertThat(memory).doesNotExist();
        assertThat(cpu).doesNotExist();
    }

    @Test
    void onV2TideMovesToALeafAndEnablesMemoryAndCpuForItsReplicas() throws IOException {
        Cgroups c = Cgroups.detect(v2("cpuset cpu io memory pids"), root.resolve("cgroup"), PID).cgroups().orElseThrow();
        Path self = root.resolve("fs/system.slice/tide.service");
        assertThat(c.version()).isEqualTo(Cgroups.Version.V2);
        assertThat(Files.readString(self.resolve("tide-server-" + PID + "/cgroup.procs"))).isEqualTo(Long.toString(PID));
        assertThat(Files.readString(self.resolve("cgroup.subtree_control"))).isEqualTo("+memory +cpu");
        assertThat(Files.readString(self.resolve("tide-replicas-" + PID + "/cgroup.subtree_control"))).isEqualTo("+memory +cpu");

        Cgroups.Group g = c.create("m-00001-2", new Resources(1L << 30, 1500, 100));
        Path dir = only(self.resolve("tide-replicas-" + PID));
        assertThat(Files.readString(dir.resolve("memory.max"))).isEqualTo("1073741824");
        assertThat(Files.readString(dir.resolve("cpu.max"))).isEqualTo("150000 100000");
        // 100m is 102 shares, weight 1 + 100 × 9,999 / 262,142 = 4.
        assertThat(Files.readString(dir.resolve("cpu.weight"))).isEqualTo("4");
        assertThat(g.enter(List.of("x"))).containsSequence(dir.resolve("cgroup.procs").toString(), "--", "x");
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\noom_group_kill 0\n");
        assertThat(g.oomKills()).isEqualTo(1);
    }

    @Test
    void aReplicaWithoutLimitsGetsNoGroupAndAMemoryOnlyOneNoCpuFiles() throws IOException {
        Cgroups c = Cgroups.detect(v1(), root.resolve("cgroup"), PID).cgroups().orElseThrow();
        assertThat(c.create("a-1", Resources.NONE)).isNull();
        c.create("b-1", Resources.memory(1 << 20));
        assertThat(root.resolve("cpu,cpuacct/user.slice/tide-" + PID)).isEmptyDirectory();
        assertThat(only(root.resolve("memory/user.slice/tide-" + PID)).resolve("memory.limit_in_bytes")).hasContent("1048576");
    }

    @Test
    void whereThereIsNoMemoryControllerThereAreNoCgroupsAndTheReasonSaysSo() throws IOException {
        Cgroups.Detection d = Cgroups.detect(v2("cpu pids"), root.resolve("cgroup"), PID);
        assertThat(d.cgroups()).isEmpty();
        assertThat(d.why()).contains("offers Tide's cgroup no memory controller (it lists [cpu, pids])")
                .contains("no cgroup v1 memory hierarchy");
        assertThat(Cgroups.detect(root.resolve("missing"), root.resolve("cgroup"), PID).why()).startsWith("cannot read ");
    }

    @Test
    void anEarlierTidesGroupsAreRemovedAndItsOwnKept() throws IOException {
        v1();
        long dead = 999_999_999L; // beyond the largest pid_max (2^22): never running
        Path stale = root.resolve("memory/user.slice/tide-" + dead + "/hello-00001-1.7");
        Files.createDirectories(stale);
        Files.writeString(stale.resolve("memory.limit_in_bytes"), "1");
        Path alive = root.resolve("memory/user.slice/tide-" + ProcessHandle.current().pid());
        Files.createDirectories(alive);
        Cgroups.detect(root.resolve("mounts"), root.resolve("cgroup"), PID);
        assertThat(root.resolve("memory/user.slice/tide-" + dead)).doesNotExist();
        assertThat(alive).as("a running Tide's").exists();
    }

    @Test
    void theEnteringShellWritesItsOwnPidThenExecsTheCommand() throws Exception {
        Cgroups c = Cgroups.detect(v1(), root.resolve("cgroup"), PID).cgroups().orElseThrow();
        Cgroups.Group g = c.create("sh-1", new Resources(1 << 20, 100, 100));
        Process p = new ProcessBuilder(g.enter(List.of("sh", "-c", "echo $$"))).redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String printed = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(printed).isEqualTo(Long.toString(p.pid())).as("exec: the program is the process Tide started");
        List<String> joined = new ArrayList<>();
        for (String h : List.of("memory", "cpu,cpuacct")) {
            joined.add(Files.readString(only(root.resolve(h + "/user.slice/tide-" + PID)).resolve("cgroup.procs")).strip());
        }
        assertThat(joined).containsOnly(Long.toString(p.pid()));
    }

    private static Path only(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            List<Path> dirs = s.filter(Files::isDirectory).toList();
            assertThat(dirs).hasSize(1);
            return dirs.get(0);
        }
    }
}
