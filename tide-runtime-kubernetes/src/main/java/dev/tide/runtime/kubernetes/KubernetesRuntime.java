package dev.tide.runtime.kubernetes;

import dev.tide.common.time.Scheduler;
import dev.tide.runtime.Listeners;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * Replicas as Pods on Kubernetes: one Pod per replica, so Tide still chooses which replica leaves and when, made in the
 * revision's namespace (or one namespace for all), labelled as Knative labels its pods and with Tide's instance, and
 * watched by one informer on those labels, never listed per replica or per tick.
 *
 * <ul>
 *   <li>Start: the Pod is created off the caller's thread; a create the API refuses is retried with a back-off
 *       doubling from 1 s to 30 s, and the replica is {@code CRASHED} with the API's words meanwhile.</li>
 *   <li>State: from the Pod's status ({@link PodStates}): ready once its Ready condition is True and it has an IP,
 *       which is where the gateway sends its requests ({@code podIP:containerPort}); the kubelet restarts its
 *       container, and a crash loop or an image that cannot be pulled is {@code CRASHED} with the kubelet's reason.</li>
 *   <li>Cold start: once a Pod runs and has an IP, Tide probes {@code podIP:containerPort} itself (a TCP connect every
 *       50 ms for 10 s, then every second, as its local runtime and Knative's queue-proxy do), and the replica is ready
 *       at the first connection, before the kubelet's own period comes round; after the kubelet has said Ready once,
 *       its word alone counts, as it does from the start for a container with a readiness probe of its own.</li>
 *   <li>Stop: {@code DRAINING} at once, the drain gate says when its requests are done, then the Pod is deleted with
 *       the spec's grace period; {@code STOPPED} once the informer sees it gone.</li>
 *   <li>Restart: Tide's shutdown leaves its pods running, and the pods an earlier Tide with the same instance made are
 *       adopted as they are (a ready one serves at once), so the autoscaler counts, keeps or removes them like its own
 *       instead of starting others beside them; those of a revision deleted meanwhile are stopped.</li>
 * </ul>
 */
public final class KubernetesRuntime implements ReplicaRuntime {

    private static final System.Logger LOG = System.getLogger(KubernetesRuntime.class.getName());
    private static final long SECOND = 1_000_000_000L;
    private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

    /**
     * @param namespace the namespace every replica's Pod goes in, or {@code null} for the revision's own
     * @param instance  this Tide's name on the cluster's pods ({@code tide.dev/instance}): its informer sees only those
     */
    public record Settings(String namespace, String instance) {
    }

    private final KubernetesClient client;
    private final Scheduler scheduler;
    private final Executor blocking;
    private final DrainGate drainGate;
    private final Settings settings;
    private final RandomGenerator random;
    private final Map<String, PodReplica> replicas = new ConcurrentHashMap<>();
    /** Replicas stopped before their pod was made: the pod, made after all, is deleted and never adopted. */
    private final java.util.Set<String> abandoned = ConcurrentHashMap.newKeySet();
    private final Listeners listeners = new Listeners();
    private final SharedIndexInformer<Pod> informer;

    public KubernetesRuntime(KubernetesClient client, Scheduler scheduler, Executor blocking, DrainGate drainGate, Settings settings,
                             RandomGenerator random) {
        this.client = client;
        this.scheduler = scheduler;
        this.blocking = blocking;
        this.drainGate = drainGate;
        this.settings = settings;
        this.random = random;
        var pods = settings.namespace() == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(settings.namespace());
        this.informer = pods.withLabel(PodTemplates.INSTANCE, settings.instance()).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                observed(pod, false);
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
                observed(pod, false);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                observed(pod, true);
            }
        }, 0);
    }

    @Override
    public Replica start(ReplicaSpec spec) {
        if (spec.image() == null) {
            throw new IllegalArgumentException("image: none (a Pod needs an image; a command alone runs as a local process)");
        }
        String id = podName(spec.revision());
        String namespace = settings.namespace() != null ? settings.namespace() : spec.namespace();
        PodReplica r = new PodReplica(id, spec, namespace);
        replicas.put(id, r);
        blocking.execute(() -> r.create(0));
        return r.snapshot();
    }

    /** Knative's shape, {@code REVISION-deployment-HASH-ID}, shortened to one random part; at most 63 characters. */
    private String podName(String revision) {
        StringBuilder suffix = new StringBuilder("-deployment-");
        for (int i = 0; i < 10; i++) {
            suffix.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
            if (i == 4) {
                suffix.append('-');
            }
        }
        String base = revision.length() + suffix.length() > 63 ? revision.substring(0, 63 - suffix.length()) : revision;
        return (base + suffix).toLowerCase(Locale.ROOT);
    }

    @Override
    public void stop(String replicaId) {
        PodReplica r = replicas.get(replicaId);
        if (r != null) {
            r.stop();
        }
    }

    @Override
    public List<Replica> replicas() {
        return Listeners.snapshots(replicas.values(), r -> r.snapshot());
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** The container's log as the kubelet keeps it (its last 1,000 lines), counted from the first of those. */
    @Override
    public Output output(String replicaId, long fromLine) {
        PodReplica r = replicas.get(replicaId);
        if (r == null) {
            return new Output(List.of(), fromLine);
        }
        try {
            String log = client.pods().inNamespace(r.namespace).withName(r.id).tailingLines(1000).getLog();
            List<String> lines = log == null || log.isEmpty() ? List.of() : List.of(log.split("\n", -1));
            if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines = lines.subList(0, lines.size() - 1);
            }
            int from = (int) Math.min(Math.max(0, fromLine), lines.size());
            return new Output(List.copyOf(lines.subList(from, lines.size())), lines.size());
        } catch (KubernetesClientException e) {
            return new Output(List.of("tide: cannot read the log of pod " + r.namespace + "/" + r.id + ": " + e.getMessage()), fromLine);
        }
    }

    /**
     * Stops watching and leaves the pods running: they are the cluster's, and the next Tide on this data directory
     * adopts them, so restarting or upgrading Tide is no cold start for every model it serves. Pods being created
     * finish; a replica that was leaving keeps its pod until that Tide stops it again.
     */
    @Override
    public void shutdown(Duration timeout) {
        LOG.log(System.Logger.Level.INFO, "leaving " + replicas.size() + " pods running for the next Tide to adopt");
        informer.close();
    }

    /** The informer's news of one of this Tide's pods. */
    private void observed(Pod pod, boolean deleted) {
        String id = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(PodTemplates.REPLICA);
        if (deleted && id != null && abandoned.remove(id)) {
            return;
        }
        PodReplica r = id == null ? null : replicas.get(id);
        if (r == null && !deleted && pod.getMetadata().getDeletionTimestamp() == null && !abandoned.contains(id)) {
            r = adopt(id, pod);
        }
        if (r == null) {
            return;
        }
        Replica changed = r.observed(pod, deleted);
        if (changed != null) {
            if (changed.state() == Replica.State.STOPPED) {
                replicas.remove(id, r);
            }
            notifyListeners(changed);
        }
    }

    /** A pod of an earlier run of this Tide: kept as a replica of its revision. */
    private PodReplica adopt(String id, Pod pod) {
        ReplicaSpec spec = PodTemplates.specOf(pod);
        if (spec == null) {
            return null;
        }
        PodReplica r = new PodReplica(id, spec, pod.getMetadata().getNamespace());
        r.created = true;
        PodReplica before = replicas.putIfAbsent(id, r);
        LOG.log(System.Logger.Level.INFO, "adopted pod " + pod.getMetadata().getNamespace() + "/" + id + " of revision " + spec.revision());
        return before != null ? before : r;
    }

    private void notifyListeners(Replica snapshot) {
        listeners.tell(snapshot);
    }

    /** One replica: its Pod as last seen. Guarded by its own monitor. */
    private final class PodReplica {
        final String id;
        final ReplicaSpec spec;
        final String namespace;
        final int port;
        Replica.State state = Replica.State.STARTING;
        String host = "";
        int restarts;
        Replica.Termination lastTermination;
        List<String> lastOutput = List.of();
        boolean everReady;
        boolean stopping;
        boolean created;
        /** The pod as last seen, and whether its kubelet has ever said Ready. */
        Pod last;
        boolean kubeletReady;
        /** Tide's own probe while it runs, and whether it has connected. */
        PodProbe probe;
        boolean probedOk;

        PodReplica(String id, ReplicaSpec spec, String namespace) {
            this.id = id;
            this.spec = spec;
            this.namespace = namespace;
            this.port = PodTemplates.port(spec);
        }

        synchronized Replica snapshot() {
            return new Replica(id, spec.namespace(), spec.revision(), host, port, state, -1, restarts, lastOutput, lastTermination, 0);
        }

        /** Creates the Pod; a refusal is retried after a back-off doubling from 1 s to 30 s. Blocking. */
        void create(int attempt) {
            synchronized (this) {
                if (stopping) {
                    return;
                }
            }
            try {
                client.pods().inNamespace(namespace).resource(PodTemplates.render(spec, id, namespace, settings.instance())).create();
                boolean leftMeanwhile;
                synchronized (this) {
                    created = true;
                    leftMeanwhile = stopping;
                }
                if (leftMeanwhile) {
                    delete(); // stopped while its create was on the way: it must not stay behind
                }
            } catch (KubernetesClientException e) {
                Replica changed;
                synchronized (this) {
                    state = Replica.State.CRASHED;
                    lastOutput = List.of("tide: cannot create pod " + namespace + "/" + id + ": " + e.getMessage());
                    changed = snapshot();
                }
                notifyListeners(changed);
                long backoff = Math.min(30 * SECOND, SECOND << Math.min(5, attempt));
                scheduler.schedule(() -> blocking.execute(() -> create(attempt + 1)), backoff);
            }
        }

        /** @return the new snapshot when something a listener cares about changed, else {@code null} */
        synchronized Replica observed(Pod pod, boolean deleted) {
            Replica before = snapshot();
            if (deleted) {
                state = Replica.State.STOPPED;
                return snapshot();
            }
            last = pod;
            host = PodStates.ip(pod) == null ? "" : PodStates.ip(pod);
            restarts = PodStates.restarts(pod);
            lastTermination = PodStates.lastTermination(pod);
            kubeletReady |= PodStates.ready(pod);
            if (!stopping) {
                Replica.State s = PodStates.state(pod, everReady);
                boolean running = pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase()) && !host.isEmpty();
                if (s == Replica.State.STARTING && running && probedOk && !kubeletReady) {
                    s = Replica.State.READY;
                }
                // A readiness probe of the user's own is the kubelet's to run: then only its word counts.
                if (s == Replica.State.STARTING && running && probe == null && !probedOk && !kubeletReady
                        && spec.pod().readiness() == null) {
                    String target = host;
                    probe = new PodProbe(scheduler, blocking, target, port, () -> {
                        synchronized (this) {
                            boolean wanted = !stopping && !kubeletReady && state == Replica.State.STARTING && target.equals(host);
                            if (!wanted) {
                                probe = null; // ended: a later start (a new IP after a restart) may probe again
                            }
                            return wanted;
                        }
                    }, this::probed);
                    probe.start();
                }
                state = s;
                everReady |= state == Replica.State.READY;
                lastOutput = state == Replica.State.CRASHED || state == Replica.State.PENDING ? PodStates.why(pod) : List.of();
            }
            Replica now = snapshot();
            boolean same = now.state() == before.state() && now.host().equals(before.host()) && now.restarts() == before.restarts();
            return same ? null : now;
        }

        /** Tide's own probe connected: ready unless the kubelet has spoken meanwhile or the replica is leaving. */
        private void probed() {
            Replica changed;
            synchronized (this) {
                probe = null;
                probedOk = true;
                changed = stopping ? null : observed(last, false);
            }
            if (changed != null) {
                notifyListeners(changed);
            }
        }

        void stop() {
            Replica changed;
            boolean exists;
            synchronized (this) {
                if (stopping) {
                    return;
                }
                stopping = true;
                exists = created;
                state = exists ? Replica.State.DRAINING : Replica.State.STOPPED;
                changed = snapshot();
            }
            if (!exists) {
                abandoned.add(id);
                replicas.remove(id, this);
                notifyListeners(changed);
                return;
            }
            notifyListeners(changed);
            drainGate.whenIdle(id, spec.drainTimeout(), () -> blocking.execute(this::delete));
        }

        private void delete() {
            try {
                client.pods().inNamespace(namespace).withName(id).withGracePeriod(Math.max(1, spec.terminationGrace().toSeconds())).delete();
            } catch (KubernetesClientException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete pod " + namespace + "/" + id + ": " + e.getMessage());
            }
        }
    }
}
