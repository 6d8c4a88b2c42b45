package dev.tide.controlplane.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.autoscaler.KpaDecider;
import dev.tide.autoscaler.Observation;
import dev.tide.autoscaler.PodAutoscaler;
import dev.tide.autoscaler.RevisionMetrics;
import dev.tide.common.time.Scheduler;
import dev.tide.controlplane.reconciler.revision.RevisionRuntime;
import dev.tide.controlplane.registry.Registry;
import dev.tide.controlplane.serving.ModelServing;
import dev.tide.controlplane.serving.ReplicaSpecs;
import dev.tide.controlplane.serving.ReplicaUsers;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Drives the autoscaler for every revision, as Knative's autoscaler and KPA reconciler do together: every second it
 * records each revision's load (from the gateway, which sees every request) into the revision's windows; every two
 * seconds, or at once when a request reaches a revision with no ready replica, it decides, applies the scale rules
 * and starts or stops replicas. It is also the {@link RevisionRuntime} the revision reconciler asks for status.
 *
 * <p>Threading: all scaling runs on the scheduler's thread (ticks and pokes are both scheduled tasks), so a
 * revision's decider is never used concurrently. {@link #state} is read by the reconciler from another thread, from
 * a concurrent map of immutable snapshots.
 */
public final class ScalingDriver implements RevisionRuntime {

    private static final System.Logger LOG = System.getLogger(ScalingDriver.class.getName());
    static final long TICK_NANOS = 1_000_000_000L;

    /** The load the gateway saw for a revision since the last call. */
    public interface RevisionLoad {
        /** Time-weighted average requests in flight and arrivals per second since the previous call. */
        double[] report(String namespace, String revision, long nowNanos);

        /** Requests in flight on one replica now, so that scaling down stops idle replicas first. */
        default int inFlight(String namespace, String revision, String replicaId) {
            return 0;
        }
    }

    private record Key(String namespace, String name) {
    }

    /** One revision's autoscaler. Confined to the scheduler thread. */
    private static final class Scaler {
        String resourceVersion;
        ScalingSpec spec;
        ReplicaSpec replica;
        RevisionMetrics metrics;
        KpaDecider decider;
        PodAutoscaler pa;
        int want = -1;
        boolean everReady;
        /** The stat recorded by a poke, subtracted from the next regular report (as Knative's activator does). */
        double pokeCredit;
        AutoscalerMetrics gauges;
    }

    private final Registry registry;
    private final ReplicaRuntime runtime;
    private final RevisionLoad load;
    private final Scheduler scheduler;
    private final InstantSource clock;
    private final BiConsumer<String, String> statusChanged;
    private final ModelServing models;
    private final MeterRegistry meters;
    private final Map<Key, Scaler> scalers = new ConcurrentHashMap<>();
    private final Map<Key, State> states = new ConcurrentHashMap<>();
    /** Who each revision's replicas run as; read by the revision reconciler's thread. */
    private final Map<Key, ReplicaUsers.Decision> users = new ConcurrentHashMap<>();
    private final ReplicaUsers replicaUsers;
    private long ticks;
    private volatile boolean closed;

    /**
     * @param statusChanged told (namespace, revision) when a revision's state changed, to reconcile its status
     */
    public ScalingDriver(Registry registry, ReplicaRuntime runtime, RevisionLoad load, Scheduler scheduler, InstantSource clock,
                         BiConsumer<String, String> statusChanged) {
        this(registry, runtime, load, scheduler, clock, statusChanged, ModelServing.none());
    }

    /** @param models how predictors that give a model and no command are served */
    public ScalingDriver(Registry registry, ReplicaRuntime runtime, RevisionLoad load, Scheduler scheduler, InstantSource clock,
                         BiConsumer<String, String> statusChanged, ModelServing models) {
        this(registry, runtime, load, scheduler, clock, statusChanged, models, new SimpleMeterRegistry());
    }

    /** @param meters where each revision's autoscaler gauges go ({@code autoscaler_desired_pods}, ...) */
    public ScalingDriver(Registry registry, ReplicaRuntime runtime, RevisionLoad load, Scheduler scheduler, InstantSource clock,
                         BiConsumer<String, String> statusChanged, ModelServing models, MeterRegistry meters) {
        this(registry, runtime, load, scheduler, clock, statusChanged, models, meters, ReplicaUsers.AS_TIDE);
    }

    /** @param replicaUsers which user replicas run as */
    public ScalingDriver(Registry registry, ReplicaRuntime runtime, RevisionLoad load, Scheduler scheduler, InstantSource clock,
                         BiConsumer<String, String> statusChanged, ModelServing models, MeterRegistry meters,
                         ReplicaUsers replicaUsers) {
        this.replicaUsers = replicaUsers;
        this.meters = meters;
        this.models = models;
        this.registry = registry;
        this.runtime = runtime;
        this.load = load;
        this.scheduler = scheduler;
        this.clock = clock;
        this.statusChanged = statusChanged;
    }

    public void start() {
        scheduler.schedule(this::tick, 0);
    }

    public void close() {
        closed = true;
    }

    /** A request found no ready replica: decide for this revision now (the activator's poke). Never blocks. */
    public void poke(String namespace, String revision) {
        scheduler.schedule(() -> {
            Scaler s = scalers.get(new Key(namespace, revision));
            if (s != null && s.decider != null && s.decider.desiredScale() <= 0 && s.pokeCredit == 0) {
                // Knative's activator sends {concurrency 1, count 1} at once, so the decision sees the request.
                s.metrics.record(clock.instant().getEpochSecond(), 1, 1);
                s.pokeCredit = 1;
                Key key = new Key(namespace, revision);
                decide(key, s, routedRevisions(), replicasByRevision().getOrDefault(key, List.of()));
            }
        }, 0);
    }

    @Override
    public State state(JsonNode revision) {
        State s = states.get(new Key(Meta.namespace(revision), Meta.name(revision)));
        return s != null ? s : new State(Conditions.UNKNOWN, "Deploying", "waiting for the autoscaler to start the revision", null, null);
    }

    @Override
    public java.util.Optional<Note> note(JsonNode revision) {
        ReplicaUsers.Decision d = users.get(new Key(Meta.namespace(revision), Meta.name(revision)));
        return d == null ? java.util.Optional.empty() : java.util.Optional.of(new Note(ReplicaUsers.CONDITION, d.status(), d.reason(),
                d.message(), d.severity()));
    }

    private void tick() {
        if (closed) {
            return;
        }
        try {
            ticks++;
            Set<String> routed = routedRevisions();
            Map<Key, List<Replica>> byRevision = replicasByRevision();
            Set<Key> seen = new HashSet<>();
            long now = scheduler.ticker().nanos();
            long epochSecond = clock.instant().getEpochSecond();
            for (ObjectNode rev : registry.list(ResourceTypes.REVISION, null).items()) {
                Key key = new Key(Meta.namespace(rev), Meta.name(rev));
                seen.add(key);
                Scaler s = scalers.computeIfAbsent(key, k -> new Scaler());
                if (!Meta.resourceVersion(rev).equals(s.resourceVersion)) {
                    configure(key, s, rev, routed.contains(key.namespace() + "/" + key.name()), byRevision.getOrDefault(key, List.of()));
                }
                if (s.replica == null) {
                    continue;
                }
                double[] l = load.report(key.namespace(), key.name(), now);
                s.metrics.record(epochSecond, Math.max(0, l[0] - s.pokeCredit), l[1]);
                s.pokeCredit = 0;
                if (ticks % 2 == 0) {
                    decide(key, s, routed, byRevision.getOrDefault(key, List.of()));
                }
            }
            for (Key gone : new ArrayList<>(scalers.keySet())) {
                if (!seen.contains(gone)) {
                    Scaler removed = scalers.remove(gone);
                    if (removed.gauges != null) {
                        removed.gauges.close();
                    }
                    states.remove(gone);
                    users.remove(gone);
                    byRevision.getOrDefault(gone, List.of()).forEach(r -> runtime.stop(r.id()));
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "autoscaler tick failed", e);
        } finally {
            if (!closed) {
                scheduler.schedule(this::tick, TICK_NANOS);
            }
        }
    }

    /** A new revision (or a changed cluster setting): resolve its spec; a new one starts with its initial scale. */
    private void configure(Key key, Scaler s, ObjectNode rev, boolean reachable, List<Replica> replicas) {
        s.resourceVersion = Meta.resourceVersion(rev);
        ReplicaSpecs.Result r = ReplicaSpecs.from(rev,
                name -> registry.get(ResourceTypes.SECRET, key.namespace(), name),
                name -> registry.get(ResourceTypes.CONFIG_MAP, key.namespace(), name),
                name -> registry.get(ResourceTypes.SERVICE_ACCOUNT, key.namespace(), name), models, replicaUsers);
        if (r instanceof ReplicaSpecs.NotRunnable n) {
            s.replica = null;
            // Resolve again next tick: what was missing (a Secret, a ServiceAccount) may be applied after the revision,
            // and then it runs, as a pod waiting on a Secret starts once the Secret exists.
            s.resourceVersion = null;
            publish(key, new State(Conditions.FALSE, n.reason(), n.message(), 0, 0));
            return;
        }
        boolean fresh = s.replica == null;
        s.replica = ((ReplicaSpecs.Runnable) r).spec();
        users.put(key, ((ReplicaSpecs.Runnable) r).user());
        s.spec = ScalingSpecs.resolve(Meta.strings(rev.path("metadata").get("annotations")),
                rev.path("spec").path("containerConcurrency").asLong(0), registry.config().current(), reachable);
        if (fresh) {
            if (s.gauges == null) {
                Map<String, String> labels = Meta.labels(rev);
                String configuration = labels.getOrDefault(ServingLabels.CONFIGURATION, "");
                s.gauges = new AutoscalerMetrics(meters, key.namespace(), labels.getOrDefault(ServingLabels.SERVICE, configuration),
                        configuration, key.name());
            }
            long nowEpochNanos = epochNanos(clock.instant());
            int running = replicas.size();
            s.metrics = new RevisionMetrics(s.spec.aggregation(), s.spec.decider().stableWindow(), s.spec.decider().panicWindow());
            s.decider = new KpaDecider(s.spec.decider(), (int) replicas.stream().filter(Replica::routable).count(), nowEpochNanos);
            s.pa = new PodAutoscaler(s.spec.policy(), scheduler.ticker().nanos());
            // Knative creates the revision's deployment with its initial scale; an initial scale of 0 (when
            // allow-zero-initial-scale permits it) counts as initialized at once: Ready, inactive until a request.
            s.everReady = s.spec.policy().initialScale() == 0;
            for (int i = running; i < s.spec.policy().initialScale(); i++) {
                runtime.start(s.replica);
            }
        } else {
            s.decider.update(s.spec.decider());
            s.metrics.resize(s.spec.decider().stableWindow(), s.spec.decider().panicWindow());
        }
    }

    private void decide(Key key, Scaler s, Set<String> routed, List<Replica> replicas) {
        if (s.replica == null) {
            return;
        }
        boolean reachable = routed.contains(key.namespace() + "/" + key.name());
        if (reachable != s.spec.decider().reachable()) {
            // A new revision becomes routed once ready; an old one stops being routed after a rollout.
            s.spec = new ScalingSpec(s.spec.autoscalerClass(), s.spec.metricName(), s.spec.decider().withReachable(reachable),
                    s.spec.policy(), s.spec.aggregation(), s.spec.predictive());
            s.decider.update(s.spec.decider());
        }
        int ready = (int) replicas.stream().filter(Replica::routable).count();
        Instant now = clock.instant();
        // Tide's gateway sees every request, so there is no scrape target: an empty window means no traffic.
        Observation o = s.metrics.observe(s.spec.decider().metric(), ready, false, now.getEpochSecond());
        s.decider.decide(o, epochNanos(now));
        PodAutoscaler.Applied applied = s.pa.apply(s.decider.desiredScale(), s.decider.excessBurstCapacity(), ready, replicas.size(),
                reachable, scheduler.ticker().nanos());
        if (applied.replicas() >= 0) {
            scaleTo(key, s, replicas, applied.replicas());
        }
        s.want = applied.want();
        AutoscalerMetrics g = s.gauges;
        if (o instanceof Observation.Metrics m) {
            g.stable = m.stable();
            g.panic = m.panic();
        }
        g.spec(s.spec.decider());
        g.desiredPods = s.decider.desiredScale();
        g.requestedPods = Math.max(0, applied.want());
        g.actualPods = replicas.size();
        g.readyPods = ready;
        g.panicMode = s.decider.panicking() ? 1 : 0;
        g.excessBurstCapacity = s.decider.excessBurstCapacity();
        s.everReady |= ready > 0;
        publish(key, stateOf(s, replicas, ready));
    }

    /** Starts or stops replicas; stopping prefers replicas that are not serving, then idle ones ({@link ScaleDownOrder}). */
    private void scaleTo(Key key, Scaler s, List<Replica> replicas, int target) {
        int running = replicas.size();
        for (int i = running; i < target; i++) {
            runtime.start(s.replica);
        }
        if (target < running) {
            for (Replica r : ScaleDownOrder.victims(replicas, running - target, id -> load.inFlight(key.namespace(), key.name(), id))) {
                runtime.stop(r.id());
            }
        }
    }

    private State stateOf(Scaler s, List<Replica> replicas, int ready) {
        int desired = Math.max(0, s.want);
        String active = switch (s.pa.activity()) {
            case ACTIVE -> Conditions.TRUE;
            case INACTIVE -> Conditions.FALSE;
            case ACTIVATING -> Conditions.UNKNOWN;
        };
        if (s.everReady) {
            return new State(Conditions.TRUE, null, null, ready, desired, active);
        }
        for (Replica r : replicas) {
            if (r.restarts() >= 2 && r.state() == Replica.State.CRASHED) {
                return new State(Conditions.FALSE, "CrashLoopBackOff", "the container keeps exiting; last output:\n"
                        + String.join("\n", r.lastOutput()), ready, desired);
            }
        }
        return new State(Conditions.UNKNOWN, "Deploying", "waiting for a replica to pass its readiness probe", ready, desired);
    }

    private void publish(Key key, State next) {
        State previous = states.put(key, next);
        if (!next.equals(previous)) {
            statusChanged.accept(key.namespace(), key.name());
        }
    }

    /** The decider's time: nanoseconds since the Unix epoch, from one reading of the clock. */
    private static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Each revision's replicas that are not leaving, from one snapshot of the runtime. */
    private Map<Key, List<Replica>> replicasByRevision() {
        Map<Key, List<Replica>> out = new java.util.HashMap<>();
        for (Replica r : runtime.replicas()) {
            if (r.state() != Replica.State.DRAINING && r.state() != Replica.State.STOPPED) {
                out.computeIfAbsent(new Key(r.namespace(), r.revision()), k -> new ArrayList<>()).add(r);
            }
        }
        return out;
    }

    /** {@code namespace/revision} of every revision a Route sends traffic to. */
    private Set<String> routedRevisions() {
        Set<String> routed = new HashSet<>();
        for (ObjectNode route : registry.list(ResourceTypes.ROUTE, null).items()) {
            for (JsonNode t : route.path("status").path("traffic")) {
                if (t.hasNonNull("revisionName")) {
                    routed.add(Meta.namespace(route) + "/" + t.get("revisionName").asText());
                }
            }
        }
        return routed;
    }
}
