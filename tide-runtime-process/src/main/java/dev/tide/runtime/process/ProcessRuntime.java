package dev.tide.runtime.process;

import dev.tide.common.time.Scheduler;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.Listeners;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.RunAs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replicas as local processes, with Knative's runtime contract: the process gets a free port in {@code PORT} (and
 * {@code K_SERVICE}, {@code K_CONFIGURATION}, {@code K_REVISION}), {@code $(VAR)} references in its command and
 * args are expanded as Kubernetes expands them, and it is probed, drained, restarted and stopped as a pod would be.
 *
 * <ul>
 *   <li>Readiness: with no period, every 50 ms for the first 10 s, then every second, until the first success, so a
 *       cold start is not spent waiting for a probe; afterwards every period (1 s when none).</li>
 *   <li>Liveness: failing {@code failureThreshold} times in a row restarts the process.</li>
 *   <li>Limits: with {@link Cgroups}, a replica with limits runs in a cgroup of its own where the kernel holds it to
 *       {@code resources.limits.memory} (its OOM killer ends it there: OOMKilled, then restarted) and
 *       {@code limits.cpu}; without, a process whose resident memory, its children's included, reaches the memory
 *       limit is killed by Tide (OOMKilled) and restarted, and CPU is not limited.</li>
 *   <li>A process that exits on its own is restarted after a back-off doubling from 1 s to 30 s (a local
 *       CrashLoopBackOff); each crash is reported with the replica's last output lines.</li>
 *   <li>Stopping: the replica turns {@code DRAINING} at once (routing drops it), the drain gate says when its
 *       in-flight requests are done (at most the revision's timeout), then SIGTERM goes to the process and its
 *       descendants, and SIGKILL after the grace period.</li>
 *   <li>Every live process has a pid file in the state directory: a Tide restarted after a crash kills the strays of
 *       its predecessor before starting anything (matching each pid's start time, so a reused pid is left alone).</li>
 * </ul>
 *
 * <p>Threading: timers come from the injected scheduler, blocking work (probes, waits) runs on the injected
 * executor (virtual threads); each replica's state is guarded by its own monitor; listeners are called outside it.
 */
public final class ProcessRuntime implements ReplicaRuntime {

    private static final System.Logger LOG = System.getLogger(ProcessRuntime.class.getName());
    static final long AGGRESSIVE_PROBE_NANOS = 50_000_000L;
    static final long AGGRESSIVE_PHASE_NANOS = 10_000_000_000L;
    static final long SECOND = 1_000_000_000L;
    /** How often a replica with a memory limit has its memory measured: 200 ms, a few reads of /proc each. */
    static final long MEMORY_CHECK_NANOS = 200_000_000L;
    static final int OUTPUT_LINES = 1000;
    private static final Pattern VAR = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    /**
     * What every replica process starts from, decided by the launcher.
     *
     * @param baseEnv the environment under the Knative runtime contract and the spec's own: only what a program
     *                needs to run ({@code PATH}, {@code HOME}, {@code LANG}, {@code TZ}), never the server's whole
     *                environment, which holds operators' credentials
     * @param setpriv util-linux's {@code setpriv}, which drops a root Tide to a replica's {@link RunAs} user before the
     *                program starts, or {@code null} where none is installed (a replica with a RunAs then fails to start)
     * @param cgroups where replicas with limits get cgroups of their own, or {@code null} for none (memory limits are
     *                then measured)
     */
    public record Settings(Map<String, String> baseEnv, String setpriv, Cgroups cgroups) {
        public static final Settings EMPTY = new Settings(Map.of(), null, null);

        public Settings {
            baseEnv = Map.copyOf(baseEnv);
        }

        public Settings(Map<String, String> baseEnv, String setpriv) {
            this(baseEnv, setpriv, null);
        }
    }

    private final Scheduler scheduler;
    private final Executor blocking;
    private final Path pidDir;
    /** Replicas' volume directories and mount namespace roots, one directory each, cleared at start. */
    private final Path volumesRoot;
    private final DrainGate drainGate;
    private final Settings settings;
    private final Map<String, ProcessReplica> replicas = new ConcurrentHashMap<>();
    private final Listeners listeners = new Listeners();
    private final AtomicLong ids = new AtomicLong();

    /**
     * @param stateDir where pid files are kept; strays recorded there by an earlier run are killed now
     */
    public ProcessRuntime(Scheduler scheduler, Executor blocking, Path stateDir, DrainGate drainGate) {
        this(scheduler, blocking, stateDir, drainGate, Settings.EMPTY);
    }

    /**
     * @param stateDir where pid files are kept; strays recorded there by an earlier run are killed now
     */
    public ProcessRuntime(Scheduler scheduler, Executor blocking, Path stateDir, DrainGate drainGate, Settings settings) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.blocking = blocking;
        this.pidDir = stateDir.resolve("replicas");
        this.volumesRoot = stateDir.resolve("volumes");
        this.drainGate = drainGate;
        try {
            Files.createDirectories(pidDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + pidDir, e);
        }
        reapStrays();
        MountNamespace.remove(volumesRoot);
    }

    /** Whether the memory check round is scheduled: one round for all replicas with a memory limit. */
    private final java.util.concurrent.atomic.AtomicBoolean memoryWatched = new java.util.concurrent.atomic.AtomicBoolean();

    /** Starts the memory check round unless it runs already. */
    private void watchMemory() {
        if (memoryWatched.compareAndSet(false, true)) {
            scheduler.schedule(() -> blocking.execute(this::checkMemory), MEMORY_CHECK_NANOS);
        }
    }

    /** One round: the process table read once, each replica with a limit measured against it; again while any wants it. */
    private void checkMemory() {
        ResidentMemory.Tree tree = ResidentMemory.Tree.now();
        boolean again = false;
        for (ProcessReplica r : replicas.values()) {
            again |= r.checkMemory(tree);
        }
        if (again) {
            scheduler.schedule(() -> blocking.execute(this::checkMemory), MEMORY_CHECK_NANOS);
            return;
        }
        memoryWatched.set(false);
        // A replica with a limit launched while this round ended: it must not go unwatched.
        if (replicas.values().stream().anyMatch(r -> r.spec.memoryLimitBytes() > 0 && !r.memoryUnmeasured)) {
            watchMemory();
        }
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    @Override
    public Replica start(ReplicaSpec spec) {
        if (spec.command().isEmpty()) {
            throw new IllegalArgumentException("command: empty (a local replica needs a command to run; image "
                    + spec.image() + " alone is for a Kubernetes runtime)");
        }
        String id = spec.revision() + "-" + ids.incrementAndGet();
        ProcessReplica r = new ProcessReplica(id, spec, freePort());
        replicas.put(id, r);
        r.launch();
        return r.snapshot();
    }

    @Override
    public void stop(String replicaId) {
        ProcessReplica r = replicas.get(replicaId);
        if (r != null) {
            r.stop();
        }
    }

    @Override
    public List<Replica> replicas() {
        return Listeners.snapshots(replicas.values(), r -> r.snapshot());
    }

    @Override
    public Output output(String replicaId, long fromLine) {
        ProcessReplica r = replicas.get(replicaId);
        return r == null ? new Output(List.of(), fromLine) : r.output.since(fromLine);
    }

    @Override
    public Output awaitOutput(String replicaId, long fromLine, Duration timeout) throws InterruptedException {
        ProcessReplica r = replicas.get(replicaId);
        return r == null ? new Output(List.of(), fromLine) : r.output.awaitSince(fromLine, timeout.toNanos());
    }

    @Override
    public void shutdown(Duration timeout) {
        List<ProcessReplica> all = new ArrayList<>(replicas.values());
        all.forEach(ProcessReplica::stop);
        long deadline = scheduler.ticker().nanos() + timeout.toNanos();
        for (ProcessReplica r : all) {
            r.awaitExit(deadline);
        }
    }

    private void notifyListeners(Replica snapshot) {
        listeners.tell(snapshot);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** {@code $(VAR)} from the replica's environment, {@code $$} for a literal {@code $}; unknown references stay. */
    static String expand(String s, Map<String, String> env) {
        Matcher m = VAR.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group().equals("$$") ? "$" : env.getOrDefault(m.group(1), m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * What the command runs under: setpriv switches uid, gid and supplementary groups and sets no_new_privs, then execs
     * the program, which never runs with root's identity or capabilities. Empty when the replica runs as Tide does.
     * Example: uid 65534, gid 65534, no groups, no_new_privs gives
     * {@code setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs -- python3 ...}.
     */
    static List<String> userSwitch(ReplicaSpec spec, String setpriv) {
        RunAs user = spec.runAs();
        if (user == null && !spec.noNewPrivileges()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(List.of(setpriv == null ? "setpriv" : setpriv));
        if (user != null) {
            out.add("--reuid=" + user.uid());
            out.add("--regid=" + user.gid());
            out.add(user.groups().isEmpty() ? "--clear-groups"
                    : "--groups=" + String.join(",", user.groups().stream().map(String::valueOf).toList()));
        }
        if (spec.noNewPrivileges()) {
            out.add("--no-new-privs");
        }
        out.add("--");
        return List.copyOf(out);
    }

    // --- strays

    private void reapStrays() {
        try (var files = Files.list(pidDir)) {
            for (Path f : files.toList()) {
                try {
                    String[] parts = Files.readString(f).strip().split(" ", 2);
                    long pid = Long.parseLong(f.getFileName().toString().replace(".pid", ""));
                    long startMillis = Long.parseLong(parts[0]);
                    Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(p -> p.info().startInstant()
                            .map(i -> Math.abs(i.toEpochMilli() - startMillis) < 1000).orElse(false));
                    h.ifPresent(p -> {
                        LOG.log(System.Logger.Level.INFO, "killing replica process " + pid + " left by an earlier run");
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                    });
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot read pid file " + f + ": " + e.getMessage());
                }
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + pidDir, e);
        }
    }

    /** One replica: its process, probes and life. Guarded by its own monitor. */
    private final class ProcessReplica {
        final String id;
        final ReplicaSpec spec;
        final int port;
        final OutputBuffer output = new OutputBuffer(OUTPUT_LINES);
        final Map<String, String> env;
        /** setpriv's switch to the replica's user, for the process and its exec probes; empty to run as Tide. */
        final List<String> userSwitch;
        Process process;
        Replica.State state = Replica.State.STARTING;
        int restarts;
        /** Set once the replica's memory could not be read: its limit is then reported as not enforced, once. */
        volatile boolean memoryUnmeasured;
        /** The replica's cgroup, made at its first launch; {@code null} without one. */
        Cgroups.Group group;
        /** Whether {@link #group} was made (or found not needed). */
        boolean grouped;
        /** The group's OOM kill count when the current process was launched. */
        long oomKillsAtLaunch;
        /** Bumped at every launch: probe results and exits of an earlier process are ignored. */
        int generation;
        long launchedNanos;
        boolean everReady;
        boolean stopping;
        int readySuccesses;
        int readyFailures;
        int liveFailures;
        Path pidFile;
        /** How the previous process ended, or {@code null} on the first. */
        Replica.Termination lastTermination;
        /** Why Tide killed the current process (OOMKilled, a failed liveness probe), or {@code null}. */
        Replica.Termination killedFor;
        /** The first output line of the current process. */
        long outputFrom;
        /** Completes when the current process's output has been read to its end. */
        java.util.concurrent.CompletableFuture<Void> drained = java.util.concurrent.CompletableFuture.completedFuture(null);

        ProcessReplica(String id, ReplicaSpec spec, int port) {
            this.id = id;
            this.spec = spec;
            this.port = port;
            Map<String, String> e = new HashMap<>(settings.baseEnv());
            if (spec.runAs() != null) {
                if (spec.runAs().home() != null) {
                    e.put("HOME", spec.runAs().home());
                }
                if (e.containsKey("PATH")) {
                    e.put("PATH", Reachable.path(e.get("PATH"), spec.runAs()));
                }
            }
            e.putAll(spec.env());
            e.put("PORT", Integer.toString(port));
            e.put("K_SERVICE", spec.service());
            e.put("K_CONFIGURATION", spec.configuration());
            e.put("K_REVISION", spec.revision());
            this.env = Map.copyOf(e);
            this.userSwitch = userSwitch(spec, settings.setpriv());
        }

        /**
         * What an exec probe's command runs under: the replica's user switch, and for a replica with volumes first
         * {@code nsenter} into its mount namespace, root and working directory, so the probe sees what the program sees.
         */
        synchronized List<String> probePrefix() {
            List<String> out = new ArrayList<>();
            if (!spec.mounts().isEmpty() && process != null) {
                out.addAll(List.of("nsenter", "--target", Long.toString(process.pid()), "--mount", "--root", "--wd", "--"));
            }
            out.addAll(userSwitch);
            // In the replica's cgroup too, as a kubelet's exec probe runs in its container's.
            return group == null ? List.copyOf(out) : group.enter(out);
        }

        /** The replica's cgroup, made once for all its processes; {@code null} when it has no limits the host can hold. */
        private Cgroups.Group group() throws IOException {
            if (!grouped && settings.cgroups() != null) {
                try {
                    group = settings.cgroups().create(id, spec.resources());
                } catch (IOException e) {
                    throw new IOException("cannot make the replica's cgroup (" + settings.cgroups().version() + "): " + e.getMessage(), e);
                }
            }
            grouped = true;
            return group;
        }

        /** Whether the kernel holds the replica to its memory limit, so Tide need not measure it. */
        private boolean kernelHoldsMemory() {
            return group != null && group.memoryLimitBytes() > 0;
        }

        /** Where this replica's volumes are made and its mount namespace's root is. */
        Path volumesDir() {
            return volumesRoot.resolve(id);
        }

        synchronized Replica snapshot() {
            return snapshotLocked();
        }

        void launch() {
            Replica changed;
            int gen;
            boolean failed = false;
            synchronized (this) {
                if (stopping) {
                    return;
                }
                gen = ++generation;
                killedFor = null;
                outputFrom = output.next();
                List<String> command = new ArrayList<>();
                command.addAll(userSwitch);
                spec.command().forEach(c -> command.add(expand(c, env)));
                spec.args().forEach(a -> command.add(expand(a, env)));
                try {
                    // Volumes: the command runs in a mount namespace of its own, made for it (MountNamespace).
                    List<String> run = spec.mounts().isEmpty() ? command : MountNamespace.wrap(volumesDir(), spec.mounts(), command);
                    // Limits: the process joins its cgroup before the program starts, so it never runs unlimited.
                    Cgroups.Group g = group();
                    if (g != null) {
                        run = g.enter(run);
                        oomKillsAtLaunch = g.oomKills();
                    }
                    ProcessBuilder pb = new ProcessBuilder(run).redirectErrorStream(true);
                    pb.environment().clear();
                    pb.environment().putAll(env);
                    if (spec.workingDir() != null) {
                        pb.directory(Path.of(spec.workingDir()).toFile());
                    }
                    process = pb.start();
                } catch (IOException | RuntimeException e) {
                    output.add("tide: cannot start " + String.join(" ", command) + ": " + e.getMessage());
                    lastTermination = new Replica.Termination(128, Replica.Termination.START_ERROR, e.getMessage());
                    process = null;
                    state = Replica.State.CRASHED;
                    scheduleRestart(gen);
                    failed = true;
                }
                if (failed) {
                    changed = snapshotLocked();
                } else {
                    launchedNanos = scheduler.ticker().nanos();
                    state = Replica.State.STARTING;
                    everReady = false;
                    readySuccesses = 0;
                    readyFailures = 0;
                    liveFailures = 0;
                    writePidFile();
                    changed = snapshotLocked();
                }
            }
            if (failed) {
                notifyListeners(changed);
                return;
            }
            Process p = process;
            java.util.concurrent.CompletableFuture<Void> pumped = new java.util.concurrent.CompletableFuture<>();
            synchronized (this) {
                drained = pumped;
            }
            blocking.execute(() -> {
                pump(p);
                pumped.complete(null);
            });
            p.onExit().thenRunAsync(() -> exited(gen), blocking);
            ProbeSpec readiness = spec.readiness();
            schedule(readiness.initialDelay().toNanos(), () -> probeReadiness(gen));
            if (spec.liveness() != null) {
                schedule(spec.liveness().initialDelay().toNanos() + periodNanos(spec.liveness(), 10 * SECOND), () -> probeLiveness(gen));
            }
            if (spec.memoryLimitBytes() > 0 && !kernelHoldsMemory()) {
                watchMemory();
            }
            notifyListeners(changed);
        }

        private Replica snapshotLocked() {
            return new Replica(id, spec.namespace(), spec.revision(), port, state, process == null ? -1 : process.pid(),
                    restarts, output.last(20), lastTermination, outputFrom);
        }

        private void writePidFile() {
            try {
                long start = process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
                pidFile = pidDir.resolve(process.pid() + ".pid");
                Files.writeString(pidFile, start + " " + id + "\n");
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot write pid file for " + id + ": " + e.getMessage());
            }
        }

        private void pump(Process p) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // The process closed its output.
            }
        }

        private void schedule(long delayNanos, Runnable blockingTask) {
            scheduler.schedule(() -> blocking.execute(blockingTask), delayNanos);
        }

        private void probeReadiness(int gen) {
            ProbeSpec probe = spec.readiness();
            synchronized (this) {
                if (gen != generation || stopping) {
                    return;
                }
            }
            boolean ok = Probes.attempt(probe.handler(), port, everReadyTimeout(probe), env, probePrefix());
            Replica changed = null;
            long next;
            synchronized (this) {
                if (gen != generation || stopping || state == Replica.State.CRASHED) {
                    return;
                }
                if (ok) {
                    readyFailures = 0;
                    readySuccesses++;
                    if (readySuccesses >= Math.max(1, probe.successThreshold()) && state != Replica.State.READY) {
                        state = Replica.State.READY;
                        everReady = true;
                        changed = snapshotLocked();
                    }
                } else {
                    readySuccesses = 0;
                    readyFailures++;
                    if (state == Replica.State.READY && readyFailures >= Math.max(1, probe.failureThreshold())) {
                        state = Replica.State.NOT_READY;
                        changed = snapshotLocked();
                    }
                }
                next = nextReadinessDelay(probe);
            }
            if (changed != null) {
                notifyListeners(changed);
            }
            schedule(next, () -> probeReadiness(gen));
        }

        /** Aggressive until first ready: 50 ms for 10 s, then 1 s; afterwards the period (1 s without one). */
        private long nextReadinessDelay(ProbeSpec probe) {
            if (!probe.period().isZero()) {
                return probe.period().toNanos();
            }
            if (!everReady && scheduler.ticker().nanos() - launchedNanos < AGGRESSIVE_PHASE_NANOS) {
                return AGGRESSIVE_PROBE_NANOS;
            }
            return SECOND;
        }

        private Duration everReadyTimeout(ProbeSpec probe) {
            // Aggressive probes use a short timeout, as queue-proxy's 100 ms, so a hung attempt does not stall them.
            if (probe.period().isZero() && !everReady) {
                return Duration.ofMillis(100);
            }
            return probe.timeout().isZero() ? Duration.ofSeconds(1) : probe.timeout();
        }

        private long periodNanos(ProbeSpec probe, long fallback) {
            return probe.period().isZero() ? fallback : probe.period().toNanos();
        }

        private void probeLiveness(int gen) {
            ProbeSpec probe = spec.liveness();
            synchronized (this) {
                if (gen != generation || stopping) {
                    return;
                }
            }
            boolean ok = Probes.attempt(probe.handler(), port, probe.timeout().isZero() ? Duration.ofSeconds(1) : probe.timeout(), env,
                    probePrefix());
            boolean restart = false;
            synchronized (this) {
                if (gen != generation || stopping) {
                    return;
                }
                liveFailures = ok ? 0 : liveFailures + 1;
                if (liveFailures >= Math.max(1, probe.failureThreshold())) {
                    restart = true;
                    output.add("tide: liveness probe failed " + liveFailures + " times; restarting");
                    killedFor = new Replica.Termination(137, Replica.Termination.ERROR,
                            "liveness probe failed " + liveFailures + " times");
                }
            }
            if (restart) {
                kill(process);
                return; // exited() restarts it
            }
            schedule(periodNanos(probe, 10 * SECOND), () -> probeLiveness(gen));
        }

        /**
         * The memory limit, checked by the runtime's round ({@link ProcessRuntime#checkMemory}): a process whose
         * resident memory (its children's included) reaches {@code resources.limits.memory} is killed and, as any crash,
         * restarted after a back-off, as a container's memory cgroup and the kernel's OOM killer do. Checked every
         * {@link #MEMORY_CHECK_NANOS}, so a process can overshoot for that long; the kernel would stop it at the page.
         *
         * @return whether the replica still wants checking
         */
        boolean checkMemory(ResidentMemory.Tree tree) {
            Process p;
            synchronized (this) {
                if (stopping || spec.memoryLimitBytes() <= 0 || kernelHoldsMemory()) {
                    return false;
                }
                if (process == null || !process.isAlive() || memoryUnmeasured) {
                    return !memoryUnmeasured; // between a crash and its restart: checked again once relaunched
                }
                p = process;
            }
            java.util.OptionalLong used = tree.of(p.pid());
            synchronized (this) {
                if (p != process || stopping) {
                    return !stopping;
                }
                if (used.isEmpty()) {
                    memoryUnmeasured = true;
                    output.add("tide: resources.limits.memory is not enforced here: this system has no /proc to measure "
                            + "the replica's memory");
                    return false;
                }
                if (used.getAsLong() < spec.memoryLimitBytes()) {
                    return true;
                }
                output.add("tide: OOMKilled: resident memory " + mib(used.getAsLong()) + " reached resources.limits.memory "
                        + mib(spec.memoryLimitBytes()) + "; killing the process");
                killedFor = new Replica.Termination(137, Replica.Termination.OOM_KILLED, "resident memory " + mib(used.getAsLong())
                        + " reached resources.limits.memory " + mib(spec.memoryLimitBytes()));
            }
            kill(p);
            return true; // exited() restarts it, and the restarted process is checked too
        }

        private static String mib(long bytes) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }

        private void exited(int gen) {
            java.util.concurrent.CompletableFuture<Void> pumped;
            synchronized (this) {
                pumped = drained;
            }
            try {
                // The last lines are what a crash report is for: let the pipe drain first (briefly: a child that
                // inherited the pipe could keep it open).
                pumped.get(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.log(System.Logger.Level.DEBUG, "output of " + id + " not fully read: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Replica changed;
            Cgroups.Group leaving = null;
            synchronized (this) {
                if (gen != generation) {
                    return;
                }
                deletePidFile();
                if (stopping) {
                    leaving = group;
                    state = Replica.State.STOPPED;
                    MountNamespace.remove(volumesDir());
                    replicas.remove(id, this);
                    changed = snapshotLocked();
                    notifyAll();
                } else {
                    int code = process.exitValue();
                    if (group != null && killedFor == null && group.oomKills() > oomKillsAtLaunch) {
                        output.add("tide: OOMKilled: the kernel killed the process at resources.limits.memory "
                                + mib(group.memoryLimitBytes()) + " (" + settings.cgroups().version() + ")");
                        killedFor = new Replica.Termination(code, Replica.Termination.OOM_KILLED, "the kernel's OOM killer ended it "
                                + "at resources.limits.memory " + mib(group.memoryLimitBytes()));
                    }
                    output.add("tide: process exited with code " + code);
                    lastTermination = killedFor != null ? killedFor
                            : new Replica.Termination(code, code == 0 ? Replica.Termination.COMPLETED : Replica.Termination.ERROR, "");
                    state = Replica.State.CRASHED;
                    changed = snapshotLocked();
                    scheduleRestart(gen);
                }
            }
            if (leaving != null) {
                leaving.remove(); // outside the monitor: it may wait for a process left in the group to die
            }
            notifyListeners(changed);
        }

        /** Back-off doubling from 1 s to 30 s with each restart. Caller holds the monitor. */
        private void scheduleRestart(int gen) {
            restarts++;
            long backoff = Math.min(30 * SECOND, SECOND << Math.min(5, restarts - 1));
            scheduler.schedule(() -> blocking.execute(() -> {
                synchronized (this) {
                    if (gen != generation || stopping) {
                        return;
                    }
                }
                launch();
            }), backoff);
        }

        void stop() {
            Replica changed;
            Cgroups.Group leaving;
            synchronized (this) {
                if (stopping) {
                    return;
                }
                stopping = true;
                if (process == null || !process.isAlive()) {
                    state = Replica.State.STOPPED;
                    MountNamespace.remove(volumesDir());
                    deletePidFile();
                    replicas.remove(id, this);
                    notifyAll();
                    changed = snapshotLocked();
                    leaving = group;
                } else {
                    state = Replica.State.DRAINING;
                    changed = snapshotLocked();
                    leaving = null;
                }
            }
            if (leaving != null) {
                leaving.remove();
            }
            notifyListeners(changed);
            if (changed.state() == Replica.State.STOPPED) {
                return;
            }
            drainGate.whenIdle(id, spec.drainTimeout(), this::terminate);
        }

        private void terminate() {
            Process p;
            synchronized (this) {
                p = process;
            }
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy(); // SIGTERM
            scheduler.schedule(() -> {
                if (p.isAlive()) {
                    output.add("tide: still running " + spec.terminationGrace().toSeconds() + "s after SIGTERM; killing");
                    kill(p);
                }
            }, spec.terminationGrace().toNanos());
        }

        private void kill(Process p) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }

        private void deletePidFile() {
            if (pidFile != null) {
                try {
                    Files.deleteIfExists(pidFile);
                } catch (IOException ignored) {
                    // A leftover pid file only costs a check at the next start.
                }
                pidFile = null;
            }
        }

        /**
         * Waits for the process to exit until {@code deadlineNanos}, killing it then if it has not, and for its exit to
         * be handled (the replica reported STOPPED and forgotten).
         */
        void awaitExit(long deadlineNanos) {
            Process p;
            synchronized (this) {
                p = process;
            }
            try {
                if (p != null) {
                    long remaining = deadlineNanos - scheduler.ticker().nanos();
                    if (remaining <= 0 || !p.waitFor(remaining, TimeUnit.NANOSECONDS)) {
                        kill(p);
                        p.waitFor(5, TimeUnit.SECONDS);
                    }
                }
                long handledBy = Math.max(deadlineNanos, scheduler.ticker().nanos()) + 5 * SECOND;
                synchronized (this) {
                    while (state != Replica.State.STOPPED) {
                        long wait = handledBy - scheduler.ticker().nanos();
                        if (wait <= 0) {
                            break;
                        }
                        TimeUnit.NANOSECONDS.timedWait(this, wait);
                    }
                }
            } catch (InterruptedException e) {
                if (p != null) {
                    kill(p);
                }
                Thread.currentThread().interrupt();
            }
        }
    }
}
