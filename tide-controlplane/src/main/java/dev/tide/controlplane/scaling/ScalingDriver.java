package dev.tide.controlplane.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Conditions;
import dev.tide.api.Meta;
import dev.tide.autoscaler.AutoscalerSpec;
import dev.tide.autoscaler.KpaAutoscaler;
import dev.tide.autoscaler.Observation;
import dev.tide.autoscaler.PodAutoscaler;
import dev.tide.autoscaler.RevisionAutoscaler;
import dev.tide.autoscaler.SeasonalForecast;
import dev.tide.common.time.Scheduler;
import dev.tide.controlplane.events.EventRecorder;
import dev.tide.controlplane.plan.RevisionPlan;
import dev.tide.controlplane.plan.RevisionPlanner;
import dev.tide.controlplane.reconciler.revision.RevisionRuntime;
import dev.tide.controlplane.serving.ReplicaSpecs;
import dev.tide.controlplane.serving.ReplicaUsers;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Drives the autoscaler for every revision, as Knative's autoscaler and KPA reconciler do together: every second it
 * records each revision's load (from the gateway, which sees every request) into the revision's windows; every two
 * seconds, or at once when a request reaches a revision with no ready replica, it decides, applies the scale rules
 * and starts or stops replicas. Each revision's decisions are its {@link RevisionAutoscaler} (KPA or HPA, with the
 * predictive option), the same one {@code tide simulate} replays. It is also the {@link RevisionRuntime} the revision
 * reconciler asks for status.
 *
 * <p>It reads nothing from the store: the {@link RevisionPlanner} pushes each revision's {@link RevisionPlan} when it
 * changes ({@link #planned}, {@link #removed}), as Knative's {@code MultiScaler} is told of decider changes.
 *
 * <p>Threading: all scaling runs on the scheduler's thread (ticks, pokes and plan changes are all scheduled tasks),
 * so a revision's autoscaler is never used concurrently. {@link #state} is read by the reconciler from another
 * thread, from a concurrent map of immutable snapshots.
 */
public final class ScalingDriver implements RevisionRuntime, RevisionPlanner.Listener {

    private static final System.Logger LOG = System.getLogger(ScalingDriver.class.getName());
    static final long TICK_NANOS = 1_000_000_000L;

    /** What the scaling loop reads from and tells the data plane. */
    public interface RevisionLoad {
        /** Time-weighted average requests in flight and arrivals per second since the previous call. */
        double[] report(String namespace, String revision, long nowNanos);

        /** Requests in flight on one replica now, so that scaling down stops idle replicas first. */
        default int inFlight(String namespace, String revision, String replicaId) {
            return 0;
        }

        /**
         * The mean usage of the revision's ready replicas in their last sample: CPU in cores and memory in bytes,
         * {@code NaN} each when none was sampled. The HPA class scales on it.
         */
        default double[] usage(String namespace, String revision) {
            return new double[] {Double.NaN, Double.NaN};
        }

        /**
         * Whether the activator is in the revision's request path (Knative's rule: no replica wanted, or the excess
         * burst capacity below zero): its requests then queue at the revision, up to the activator's depth, instead of
         * at each replica's queue-proxy limit. Told on every change.
         */
        default void activatorInPath(String namespace, String revision, boolean inPath) {
        }
    }

    /** Keeps the predictive option's history across restarts. Calls come from the scheduler thread; must not block. */
    public interface ForecastStore {
        List<SeasonalForecast.MinutePeak> load(String namespace, String revision);

        void save(String namespace, String revision, List<SeasonalForecast.MinutePeak> history);

        void delete(String namespace, String revision);

        ForecastStore NONE = new ForecastStore() {
            @Override
            public List<SeasonalForecast.MinutePeak> load(String namespace, String revision) {
                return List.of();
            }

            @Override
            public void save(String namespace, String revision, List<SeasonalForecast.MinutePeak> history) {
            }

            @Override
            public void delete(String namespace, String revision) {
            }
        };
    }

    /** A revision's HPA has no request to take a percentage of. */
    static final String HPA_CONDITION = "ResourceRequestSet";
    /** How often the predictive option's history is written (each minute adds one peak). */
    static final long FORECAST_SAVE_TICKS = 60;

    private record Key(String namespace, String name) {
    }

    /** One revision's autoscaler. Confined to the scheduler thread. */
    private static final class Scaler {
        RevisionPlan plan;
        ReplicaSpec replica;
        RevisionAutoscaler autoscaler;
        int want = -1;
        boolean everReady;
        /** The activator's place in the path as last told to the data plane; null before the first decision. */
        Boolean proxy;
        AutoscalerMetrics gauges;
    }

    private final ReplicaRuntime runtime;
    private final RevisionLoad load;
    private final Scheduler scheduler;
    private final InstantSource clock;
    private final BiConsumer<String, String> statusChanged;
    private final MeterRegistry meters;
    private final ForecastStore forecasts;
    private final EventRecorder.Source events;
    /** Scheduler thread only. */
    private final Map<Key, Scaler> scalers = new HashMap<>();
    /** The revisions whose plan runs them as Pods; read by the revision reconciler. */
    private final java.util.Set<Key> onPods = ConcurrentHashMap.newKeySet();
    private final Map<Key, State> states = new ConcurrentHashMap<>();
    /** Who each revision's replicas run as, and whether its HPA lacks a request; read by the revision reconciler. */
    private final Map<Key, List<Note>> notes = new ConcurrentHashMap<>();
    /** The revision condition that says which of its container's resource limits its replicas are held to, and how. */
    static final String LIMITS_CONDITION = "ResourceLimitsEnforced";
    /** Replicas of revisions no longer planned (adopted pods of a deleted revision), stopped after a grace. */
    private final Orphans orphans = new Orphans();
    private long ticks;
    private volatile boolean closed;

    /**
     * @param statusChanged told (namespace, revision) when a revision's state changed, to reconcile its status
     * @param meters        where each revision's autoscaler gauges go ({@code autoscaler_desired_pods}, ...)
     * @param forecasts     where the predictive option's history outlives a restart
     * @param events        where scaling decisions and revision failures are recorded as Events
     */
    public ScalingDriver(ReplicaRuntime runtime, RevisionLoad load, Scheduler scheduler, InstantSource clock,
                         BiConsumer<String, String> statusChanged, MeterRegistry meters, ForecastStore forecasts,
                         EventRecorder.Source events) {
        this.runtime = runtime;
        this.load = load;
        this.scheduler = scheduler;
        this.clock = clock;
        this.statusChanged = statusChanged;
        this.meters = meters;
        this.forecasts = forecasts;
        this.events = events;
    }

    public void start() {
        scheduler.schedule(this::tick, 0);
    }

    public void close() {
        closed = true;
    }

    @Override
    public void planned(RevisionPlan plan) {
        scheduler.schedule(() -> apply(plan), 0);
    }

    @Override
    public void removed(String namespace, String revision) {
        scheduler.schedule(() -> forget(new Key(namespace, revision)), 0);
    }

    /** A request found no ready replica: decide for this revision now (the activator's poke). Never blocks. */
    public void poke(String namespace, String revision) {
        scheduler.schedule(() -> {
            Key key = new Key(namespace, revision);
            Scaler s = scalers.get(key);
            if (s != null && s.autoscaler != null && s.autoscaler.poke(clock.instant().getEpochSecond())) {
                decide(key, s, replicasByRevision().getOrDefault(key, List.of()), true);
            }
        }, 0);
    }

    @Override
    public State state(JsonNode revision) {
        State s = states.get(new Key(Meta.namespace(revision), Meta.name(revision)));
        return s != null ? s : new State(Conditions.UNKNOWN, "Deploying", "waiting for the autoscaler to start the revision", null, null);
    }

    /** Whether the revision's current plan runs it as Pods: an image and no command, with a cluster to run them. */
    @Override
    public boolean onPods(JsonNode revision) {
        return onPods.contains(new Key(Meta.namespace(revision), Meta.name(revision)));
    }

    @Override
    public List<Note> notes(JsonNode revision) {
        return notes.getOrDefault(new Key(Meta.namespace(revision), Meta.name(revision)), List.of());
    }

    private void tick() {
        if (closed) {
            return;
        }
        try {
            Map<Key, List<Replica>> byRevision = replicasByRevision();
            long now = scheduler.ticker().nanos();
            List<Replica> all = new ArrayList<>();
            byRevision.values().forEach(all::addAll);
            for (String id : orphans.toStop(all, r -> scalers.containsKey(new Key(r.namespace(), r.revision())), now)) {
                LOG.log(System.Logger.Level.INFO, "stopping replica " + id + ": its revision is gone");
                runtime.stop(id);
            }
            long epochSecond = clock.instant().getEpochSecond();
            for (Map.Entry<Key, Scaler> e : scalers.entrySet()) {
                Key key = e.getKey();
                Scaler s = e.getValue();
                if (s.replica == null) {
                    continue;
                }
                double[] l = load.report(key.namespace(), key.name(), now);
                s.autoscaler.record(epochSecond, new RevisionAutoscaler.Load(l[0], l[1], utilization(key, s.autoscaler.spec())));
                if (ticks % 2 == 0) {
                    decide(key, s, byRevision.getOrDefault(key, List.of()), false);
                }
                if (ticks % FORECAST_SAVE_TICKS == 0 && s.autoscaler instanceof KpaAutoscaler k && k.forecast() != null) {
                    forecasts.save(key.namespace(), key.name(), k.forecast().history());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "autoscaler tick failed", e);
        } finally {
            ticks++; // the first tick decides: a new revision's first decision comes at once, as in tide simulate
            if (!closed) {
                scheduler.schedule(this::tick, TICK_NANOS);
            }
        }
    }

    /**
     * The HPA's input: the ready replicas' mean usage in percent of their request. Worked example: 0.85 cores used
     * against a request of 500m is 170%.
     */
    private double utilization(Key key, AutoscalerSpec spec) {
        if (spec.hpa() == null || spec.hpa().request() <= 0) {
            return Double.NaN;
        }
        double[] usage = load.usage(key.namespace(), key.name());
        double used = spec.hpa().resource() == AutoscalerSpec.Resource.CPU ? usage[0] : usage[1];
        return used / spec.hpa().request() * 100;
    }

    /**
     * A revision's plan, new or changed: a new runnable revision starts with its initial scale, and the next tick
     * decides with those replicas counted; a changed one keeps its windows and state.
     */
    private void apply(RevisionPlan plan) {
        Key key = new Key(plan.namespace(), plan.name());
        Scaler s = scalers.computeIfAbsent(key, k -> new Scaler());
        s.plan = plan;
        AutoscalerSpec spec = plan.scaling();
        List<Note> revisionNotes = new ArrayList<>(2);
        if (spec.hpa() != null && spec.hpa().request() <= 0) {
            revisionNotes.add(new Note(HPA_CONDITION, Conditions.FALSE, "NoResourceRequest", "class " + spec.autoscalerClass()
                    + " scales on " + spec.metricName() + " in percent of the container's resources.requests." + spec.metricName()
                    + ", and it requests none: the revision stays at its initial scale", "Warning"));
        }
        if (plan.replica() instanceof ReplicaSpecs.NotRunnable n) {
            // Planned again when what was missing (a Secret, a ServiceAccount) is applied: then it runs, as a pod
            // waiting on a Secret starts once the Secret exists.
            s.replica = null;
            onPods.remove(key);
            notes.put(key, revisionNotes);
            publish(key, s, new State(Conditions.FALSE, n.reason(), n.message(), 0, 0));
            return;
        }
        ReplicaSpecs.Runnable runnable = (ReplicaSpecs.Runnable) plan.replica();
        ReplicaUsers.Decision d = runnable.user();
        revisionNotes.add(0, new Note(ReplicaUsers.CONDITION, d.status(), d.reason(), d.message(), d.severity()));
        ReplicaSpecs.LimitsDecision limits = runnable.limits();
        if (limits != null) {
            revisionNotes.add(new Note(LIMITS_CONDITION, limits.status(), limits.reason(), limits.message(), limits.severity()));
        }
        notes.put(key, revisionNotes);
        boolean fresh = s.replica == null;
        s.replica = runnable.spec();
        if (runnable.spec().image() != null && runnable.spec().command().isEmpty()) {
            onPods.add(key);
        } else {
            onPods.remove(key);
        }
        if (!fresh) {
            s.autoscaler.update(spec);
            return;
        }
        if (s.gauges == null) {
            s.gauges = new AutoscalerMetrics(meters, key.namespace(), plan.service(), plan.configuration(), key.name());
        }
        List<Replica> replicas = replicasByRevision().getOrDefault(key, List.of());
        int ready = (int) replicas.stream().filter(Replica::routable).count();
        s.autoscaler = RevisionAutoscaler.create(spec, ready, now());
        if (s.autoscaler instanceof KpaAutoscaler k && k.forecast() != null) {
            k.forecast().restore(forecasts.load(key.namespace(), key.name()));
        }
        // Knative creates the revision's deployment with its initial scale; an initial scale of 0 (when
        // allow-zero-initial-scale permits it) counts as initialized at once: Ready, inactive until a request.
        s.everReady = spec.policy().initialScale() == 0;
        for (int i = replicas.size(); i < spec.policy().initialScale(); i++) {
            runtime.start(s.replica);
        }
        // Its state now, not at the next tick (up to 2 s away): a revision at initial scale 0 is Ready at once.
        publish(key, s, stateOf(s, replicas, ready));
    }

    /** A deleted revision: its replicas stop, its gauges, state, notes and forecast history go. */
    private void forget(Key key) {
        Scaler removed = scalers.remove(key);
        if (removed == null) {
            return;
        }
        if (removed.gauges != null) {
            removed.gauges.close();
        }
        if (removed.plan.scaling().predictive() != null) {
            forecasts.delete(key.namespace(), key.name());
        }
        states.remove(key);
        notes.remove(key);
        onPods.remove(key);
        replicasByRevision().getOrDefault(key, List.of()).forEach(r -> runtime.stop(r.id()));
    }

    private RevisionAutoscaler.Now now() {
        return new RevisionAutoscaler.Now(epochNanos(clock.instant()), scheduler.ticker().nanos());
    }

    /** @param poked whether a request that found no ready replica asked for this decision */
    private void decide(Key key, Scaler s, List<Replica> replicas, boolean poked) {
        if (s.replica == null) {
            return;
        }
        int ready = (int) replicas.stream().filter(Replica::routable).count();
        RevisionAutoscaler.Step step = s.autoscaler.decide(ready, replicas.size(), now());
        PodAutoscaler.Applied applied = step.applied();
        if (applied.replicas() >= 0) {
            if (applied.replicas() != replicas.size()) {
                ScalingEvents.Event e = ScalingEvents.of(replicas.size(), applied.replicas(), step, s.autoscaler.spec(), poked);
                events.normal(s.plan.ref(), e.reason(), e.message());
            }
            scaleTo(key, s, replicas, applied.replicas());
        }
        s.want = applied.want();
        if (!Boolean.valueOf(applied.proxy()).equals(s.proxy)) {
            s.proxy = applied.proxy();
            load.activatorInPath(key.namespace(), key.name(), applied.proxy());
        }
        AutoscalerMetrics g = s.gauges;
        if (step.observation() instanceof Observation.Metrics m) {
            g.stable = m.stable();
            g.panic = m.panic();
        }
        g.spec(s.autoscaler.spec().decider());
        g.forecast = step.forecast();
        g.desiredPods = step.desired();
        g.requestedPods = Math.max(0, applied.want());
        g.actualPods = replicas.size();
        g.readyPods = ready;
        boolean kpa = s.autoscaler instanceof KpaAutoscaler;
        g.panicMode = kpa && ((KpaAutoscaler) s.autoscaler).panicking() ? 1 : 0;
        g.excessBurstCapacity = kpa ? ((KpaAutoscaler) s.autoscaler).excessBurstCapacity() : 0;
        s.everReady |= ready > 0;
        publish(key, s, stateOf(s, replicas, ready));
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
        String active = switch (s.autoscaler.activity()) {
            case ACTIVE -> Conditions.TRUE;
            case INACTIVE -> Conditions.FALSE;
            case ACTIVATING -> Conditions.UNKNOWN;
        };
        if (s.everReady) {
            return new State(Conditions.TRUE, null, null, ready, desired, active);
        }
        for (Replica r : replicas) {
            if (r.state() == Replica.State.PENDING) {
                // Knative's word when its Deployment's pods cannot be scheduled.
                return new State(Conditions.FALSE, "Unschedulable", String.join("\n", r.lastOutput()), ready, desired);
            }
            if (r.restarts() >= 2 && r.state() == Replica.State.CRASHED) {
                return new State(Conditions.FALSE, "CrashLoopBackOff", "the container keeps exiting; last output:\n"
                        + String.join("\n", r.lastOutput()), ready, desired);
            }
        }
        return new State(Conditions.UNKNOWN, "Deploying", "waiting for a replica to pass its readiness probe", ready, desired);
    }

    /** Stores a revision's state; a new failure (Ready False with a new reason) is also a Warning event. */
    private void publish(Key key, Scaler s, State next) {
        State previous = states.put(key, next);
        if (!next.equals(previous)) {
            if (Conditions.FALSE.equals(next.ready()) && (previous == null || !java.util.Objects.equals(previous.reason(), next.reason()))) {
                events.warning(s.plan.ref(), next.reason(), next.message());
            }
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
}
