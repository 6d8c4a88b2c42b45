package dev.tide.runtime.process;

import dev.tide.runtime.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Replicas' control groups: a replica with limits runs in a cgroup of its own, below Tide's, so the kernel holds it to
 * them as a container runtime holds a pod's container: {@code limits.memory} as the memory limit (the kernel's OOM
 * killer ends the replica there, reported as OOMKilled), {@code limits.cpu} as a CFS quota per 100 ms period, and
 * {@code requests.cpu} as its CPU share.
 *
 * <p>Both hierarchies are handled. With cgroup v2 (one hierarchy, {@code cgroup.controllers} listing {@code memory}
 * and {@code cpu}), Tide's own cgroup cannot hold both processes and children with controllers, so Tide moves itself
 * into a leaf ({@code tide-server-PID}) first, as a delegated service does; replicas go below
 * {@code tide-replicas-PID}. With cgroup v1 (a hierarchy per controller, as on this project's machines), replicas go
 * below {@code tide-PID} in Tide's cgroup of the {@code memory} and {@code cpu} hierarchies. Where neither works
 * (no cgroup file system, no write access) there are no cgroups, and {@link #detect} says why.
 */
public final class Cgroups {

    private static final System.Logger LOG = System.getLogger(Cgroups.class.getName());
    /** The CFS period Kubernetes uses: 100 ms. */
    static final long PERIOD_MICROS = 100_000;
    /** The kernel refuses quotas under 1 ms. */
    static final long MIN_QUOTA_MICROS = 1_000;
    /** Joins the cgroups named before {@code --}, then runs what follows it in the same process. */
    /**
     * Makes group names unique in this process: they live in a directory per Tide process, and replica ids repeat
     * across the runtimes one process can hold (tests run several).
     */
    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();
    private static final String ENTER = "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 128; shift; done; shift; exec \"$@\"";

    public enum Version {
        V1("cgroup v1"), V2("cgroup v2");

        private final String words;

        Version(String words) {
            this.words = words;
        }

        @Override
        public String toString() {
            return words;
        }
    }

    /** What {@link #detect} found: cgroups to use, or none and why. */
    public record Detection(Optional<Cgroups> cgroups, String why) {
    }

    private final Version version;
    /** Where replicas' memory cgroups are made (v2: their only ones), or {@code null} without a memory controller. */
    private final Path memoryParent;
    /** Where replicas' CPU cgroups are made (v2: the same as memory's), or {@code null} without a CPU controller. */
    private final Path cpuParent;

    Cgroups(Version version, Path memoryParent, Path cpuParent) {
        this.version = version;
        this.memoryParent = memoryParent;
        this.cpuParent = cpuParent;
    }

    public Version version() {
        return version;
    }

    /** Whether replicas are held to {@code limits.memory} by the kernel. */
    public boolean memory() {
        return memoryParent != null;
    }

    /** Whether replicas are held to {@code limits.cpu}. */
    public boolean cpu() {
        return cpuParent != null;
    }

    /**
     * The cgroups this process can give its replicas, from its mount table and its own cgroup membership (Linux's
     * {@code /proc/self/mounts} and {@code /proc/self/cgroup}). Leftovers of an earlier Tide with another pid are
     * removed, processes still in them killed.
     */
    public static Detection detect(Path mounts, Path selfCgroup, long pid) {
        List<String[]> table;
        List<String> membership;
        try {
            table = Files.readAllLines(mounts).stream().map(l -> l.split(" ")).filter(f -> f.length >= 4).toList();
            membership = Files.readAllLines(selfCgroup);
        } catch (IOException | UncheckedIOException e) {
            return new Detection(Optional.empty(), "cannot read " + mounts + " and " + selfCgroup + ": " + e.getMessage());
        }
        List<String> why = new ArrayList<>();
        Optional<Cgroups> v2 = v2(table, membership, pid, why);
        if (v2.isPresent()) {
            return new Detection(v2, "");
        }
        Optional<Cgroups> v1 = v1(table, membership, pid, why);
        return new Detection(v1, v1.isPresent() ? "" : String.join("; ", why));
    }

    /** One hierarchy with the memory controller (and the CPU one where there is). */
    private static Optional<Cgroups> v2(List<String[]> table, List<String> membership, long pid, List<String> why) {
        String[] mount = table.stream().filter(f -> f[2].equals("cgroup2")).findFirst().orElse(null);
        String own = membership.stream().filter(l -> l.startsWith("0::")).map(l -> l.substring(3)).findFirst().orElse(null);
        if (mount == null || own == null) {
            why.add("no cgroup v2 hierarchy");
            return Optional.empty();
        }
        Path self = Path.of(mount[1], own.substring(1));
        try {
            List<String> offered = List.of(Files.readString(self.resolve("cgroup.controllers")).strip().split("\\s+"));
            if (!offered.contains("memory")) {
                why.add("cgroup v2 at " + mount[1] + " offers Tide's cgroup no memory controller (it lists " + offered + ")");
                return Optional.empty();
            }
            boolean cpu = offered.contains("cpu");
            String enable = cpu ? "+memory +cpu" : "+memory";
            removeStale(self, "tide-replicas-", pid);
            removeStale(self, "tide-server-", pid);
            if (!subtreeHas(self, cpu)) {
                // A cgroup other than the root cannot have processes and children with controllers: Tide moves to a leaf.
                Path server = self.resolve("tide-server-" + pid);
                Files.createDirectories(server);
                Files.writeString(server.resolve("cgroup.procs"), Long.toString(pid));
                Files.writeString(self.resolve("cgroup.subtree_control"), enable);
            }
            Path replicas = self.resolve("tide-replicas-" + pid);
            Files.createDirectories(replicas);
            Files.writeString(replicas.resolve("cgroup.subtree_control"), enable);
            return Optional.of(new Cgroups(Version.V2, replicas, cpu ? replicas : null));
        } catch (IOException | UncheckedIOException e) {
            why.add("cgroup v2 at " + self + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static boolean subtreeHas(Path cgroup, boolean cpu) throws IOException {
        Path control = cgroup.resolve("cgroup.subtree_control");
        if (!Files.exists(control)) {
            return false;
        }
        List<String> enabled = List.of(Files.readString(control).strip().split("\\s+"));
        return enabled.contains("memory") && (!cpu || enabled.contains("cpu"));
    }

    /** A hierarchy per controller: {@code tide-PID} in Tide's memory cgroup, and in its CPU cgroup where there is one. */
    private static Optional<Cgroups> v1(List<String[]> table, List<String> membership, long pid, List<String> why) {
        Path memory = v1Parent(table, membership, "memory", pid, why);
        if (memory == null) {
            return Optional.empty();
        }
        return Optional.of(new Cgroups(Version.V1, memory, v1Parent(table, membership, "cpu", pid, why)));
    }

    private static Path v1Parent(List<String[]> table, List<String> membership, String controller, long pid, List<String> why) {
        String[] mount = table.stream()
                .filter(f -> f[2].equals("cgroup") && List.of(f[3].split(",")).contains(controller)).findFirst().orElse(null);
        String own = null;
        for (String line : membership) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains(controller)) {
                own = f[2];
            }
        }
        if (mount == null || own == null) {
            why.add("no cgroup v1 " + controller + " hierarchy");
            return null;
        }
        Path self = Path.of(mount[1], own.substring(1));
        try {
            removeStale(self, "tide-", pid);
            Path parent = self.resolve("tide-" + pid);
            Files.createDirectories(parent);
            return parent;
        } catch (IOException | UncheckedIOException e) {
            why.add("cgroup v1 " + controller + " at " + self + ": " + e.getMessage());
            return null;
        }
    }

    /** Tide's cgroups of earlier runs ({@code PREFIX} + a pid that is not running): emptied and removed. */
    private static void removeStale(Path in, String prefix, long pid) throws IOException {
        if (!Files.isDirectory(in)) {
            return;
        }
        List<Path> stale;
        try (Stream<Path> children = Files.list(in)) {
            stale = children.filter(Files::isDirectory).filter(d -> {
                String name = d.getFileName().toString();
                if (!name.startsWith(prefix) || !name.substring(prefix.length()).matches("\\d+")) {
                    return false;
                }
                long owner = Long.parseLong(name.substring(prefix.length()));
                return owner != pid && ProcessHandle.of(owner).map(ProcessHandle::isAlive).isEmpty();
            }).toList();
        }
        for (Path dir : stale) {
            try (Stream<Path> groups = Files.list(dir)) {
                groups.filter(Files::isDirectory).toList().forEach(Group::removeDir);
            }
            Group.removeDir(dir);
        }
    }

    /**
     * Removes the directories Tide's replicas' groups were made in, once they are gone (v2's leaf holding Tide itself
     * stays while Tide runs; the next Tide removes it).
     */
    public void close() {
        for (Path parent : new Path[] {memoryParent, cpuParent}) {
            if (parent != null) {
                try {
                    Files.deleteIfExists(parent);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "cannot remove " + parent + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * A cgroup for one replica with the limits it has; {@code null} when the replica has none this host can hold
     * (a replica without limits stays in Tide's cgroup, as a best-effort pod shares its node).
     *
     * <p>Worked example: {@code limits: {memory: 64Mi, cpu: 250m}} on v1 writes {@code memory.limit_in_bytes}
     * 67108864, {@code cpu.cfs_period_us} 100000, {@code cpu.cfs_quota_us} 25000 (250m of each 100 ms) and
     * {@code cpu.shares} 256; on v2, {@code memory.max} 67108864, {@code cpu.max} "25000 100000" and
     * {@code cpu.weight} 10.
     *
     * @param id the replica's id (letters, digits, {@code .-_}); a number is added to make the group's name unique
     */
    public Group create(String id, Resources resources) throws IOException {
        if (!id.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("cgroup name " + id + ": letters, digits, '.', '-' and '_' only");
        }
        boolean memory = resources.memoryLimitBytes() > 0 && memoryParent != null;
        boolean cpu = resources.cpu() && cpuParent != null;
        if (!memory && !cpu) {
            return null;
        }
        if (version == Version.V2 && !Files.isDirectory(memoryParent)) {
            // Removed by close() while another runtime of this process went on: made again as detect() made it.
            Files.createDirectories(memoryParent);
            Files.writeString(memoryParent.resolve("cgroup.subtree_control"), cpuParent != null ? "+memory +cpu" : "+memory");
        }
        List<Path> dirs = new ArrayList<>();
        String name = id + "." + SEQUENCE.incrementAndGet();
        Path memoryDir = memory ? memoryParent.resolve(name) : null;
        Path cpuDir = cpu ? cpuParent.resolve(name) : null;
        for (Path dir : new Path[] {memoryDir, cpuDir}) {
            if (dir != null && !dirs.contains(dir)) {
                Files.createDirectories(dir);
                dirs.add(dir);
            }
        }
        Group group = new Group(version, dirs, memoryDir, memory ? resources.memoryLimitBytes() : 0);
        try {
            for (Map.Entry<String, String> setting : settings(version, resources, memory, cpu)) {
                Path dir = setting.getKey().startsWith("memory.") ? memoryDir : cpuDir;
                Path file = dir.resolve(setting.getKey());
                // Files that some kernels lack (swap accounting, group OOM) are set where they exist.
                boolean optional = setting.getKey().matches(".*(swap|memsw).*") || setting.getKey().equals("memory.oom.group");
                if (!optional || Files.exists(file)) {
                    Files.writeString(file, setting.getValue());
                }
            }
        } catch (IOException | RuntimeException e) {
            group.remove();
            throw e;
        }
        return group;
    }

    /** The files to write, in order (v1 takes the swap limit only once the memory limit is set). */
    static List<Map.Entry<String, String>> settings(Version version, Resources r, boolean memory, boolean cpu) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        String bytes = Long.toString(r.memoryLimitBytes());
        if (memory && version == Version.V1) {
            out.add(Map.entry("memory.limit_in_bytes", bytes));
            out.add(Map.entry("memory.memsw.limit_in_bytes", bytes));
        } else if (memory) {
            out.add(Map.entry("memory.max", bytes));
            out.add(Map.entry("memory.swap.max", "0"));
            out.add(Map.entry("memory.oom.group", "1"));
        }
        if (cpu) {
            long shares = shares(r.cpuRequestMillis());
            String quota = r.cpuLimitMillis() > 0 ? Long.toString(quotaMicros(r.cpuLimitMillis())) : null;
            if (version == Version.V1) {
                out.add(Map.entry("cpu.shares", Long.toString(shares)));
                out.add(Map.entry("cpu.cfs_period_us", Long.toString(PERIOD_MICROS)));
                if (quota != null) {
                    out.add(Map.entry("cpu.cfs_quota_us", quota));
                }
            } else {
                out.add(Map.entry("cpu.weight", Long.toString(weight(shares))));
                if (quota != null) {
                    out.add(Map.entry("cpu.max", quota + " " + PERIOD_MICROS));
                }
            }
        }
        return out;
    }

    /** Kubernetes' quota: 250m is 25,000 µs of each 100,000 µs period; never under the kernel's 1 ms. */
    static long quotaMicros(long millis) {
        return Math.max(MIN_QUOTA_MICROS, millis * PERIOD_MICROS / 1000);
    }

    /** Kubernetes' shares: 1,024 per core, at least 2; 250m is 256. */
    static long shares(long millis) {
        return Math.max(2, millis * 1024 / 1000);
    }

    /** Kubernetes' shares to v2 weight: 1 + (shares - 2) × 9,999 / 262,142; 256 shares is 1 + 2,539,746 / 262,142 = 10. */
    static long weight(long shares) {
        return 1 + (shares - 2) * 9999 / 262142;
    }

    /** One replica's cgroups (one per hierarchy on v1). */
    public static final class Group {
        private final Version version;
        private final List<Path> dirs;
        private final Path memoryDir;
        private final long memoryLimitBytes;

        Group(Version version, List<Path> dirs, Path memoryDir, long memoryLimitBytes) {
            this.version = version;
            this.dirs = List.copyOf(dirs);
            this.memoryDir = memoryDir;
            this.memoryLimitBytes = memoryLimitBytes;
        }

        /** The memory limit the kernel holds the group to, or 0 when it holds none. */
        public long memoryLimitBytes() {
            return memoryLimitBytes;
        }

        /**
         * {@code command} made to join the group before it runs, in the same process (the pid Tide watches is the
         * program's): {@code sh -c 'echo $$ > .../cgroup.procs ...; exec "$@"' tide-cgroup PROCS... -- COMMAND}.
         */
        public List<String> enter(List<String> command) {
            List<String> out = new ArrayList<>(List.of("sh", "-c", ENTER, "tide-cgroup"));
            dirs.forEach(d -> out.add(d.resolve("cgroup.procs").toString()));
            out.add("--");
            out.addAll(command);
            return out;
        }

        /**
         * How many times the kernel's OOM killer has killed in the group (v1 {@code memory.oom_control}, v2
         * {@code memory.events}: the {@code oom_kill} line); 0 when it cannot be read.
         */
        public long oomKills() {
            if (memoryDir == null) {
                return 0;
            }
            Path file = memoryDir.resolve(version == Version.V1 ? "memory.oom_control" : "memory.events");
            try {
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith("oom_kill ")) {
                        return Long.parseLong(line.substring("oom_kill ".length()).strip());
                    }
                }
            } catch (IOException | NumberFormatException | UncheckedIOException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot read " + file + ": " + e.getMessage());
            }
            return 0;
        }

        /** Kills what is still in the group (a child the replica left behind) and removes it. */
        public void remove() {
            dirs.forEach(Group::removeDir);
        }

        static void removeDir(Path dir) {
            List<ProcessHandle> left = new ArrayList<>();
            try {
                if (Files.exists(dir.resolve("cgroup.procs"))) {
                    for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                        if (!pid.isBlank()) {
                            ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(left::add);
                        }
                    }
                }
            } catch (IOException | NumberFormatException | UncheckedIOException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot read " + dir + "/cgroup.procs: " + e.getMessage());
            }
            left.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : left) {
                try {
                    // Killed with SIGKILL: gone within milliseconds; a cgroup with a process in it cannot be removed.
                    p.onExit().get(2, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    LOG.log(System.Logger.Level.DEBUG, "pid " + p.pid() + " in " + dir + " did not exit: " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            try {
                deleteTree(dir);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot remove " + dir + ": " + e.getMessage());
            }
        }

        /**
         * A cgroup directory goes with rmdir alone (its files are the kernel's); a plain directory standing in for one
         * in tests needs its files removed first, which a real cgroup refuses and does not need.
         */
        private static void deleteTree(Path dir) throws IOException {
            if (!Files.isDirectory(dir)) {
                return;
            }
            List<Path> files = new ArrayList<>();
            try (Stream<Path> children = Files.list(dir)) {
                for (Path child : children.toList()) {
                    if (Files.isDirectory(child)) {
                        deleteTree(child);
                    } else {
                        files.add(child);
                    }
                }
            }
            try {
                Files.delete(dir);
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                for (Path f : files) {
                    Files.deleteIfExists(f);
                }
                Files.delete(dir);
            }
        }
    }
}
