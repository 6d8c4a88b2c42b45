package dev.tide.dataplane.gateway;

import dev.tide.common.time.Scheduler;
import dev.tide.dataplane.balancer.Balancer;
import dev.tide.dataplane.balancer.ReplicaSlots;
import dev.tide.dataplane.limiter.Breaker;
import dev.tide.dataplane.observe.RequestObserver;
import dev.tide.dataplane.routing.RevisionKey;
import dev.tide.dataplane.stats.RequestStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * One revision's entrance: a single gate that does both the activator's job and queue-proxy's, because Tide's
 * gateway, activator and limiter are one process.
 *
 * <p>The gate's capacity follows the ready replicas: {@code containerConcurrency x ready} (unlimited with
 * containerConcurrency 0 and at least one replica), 0 at zero scale, so requests wait there while the revision scales
 * from zero and go out as soon as a replica is ready. Its queue depends on who would queue the request in Knative:
 * while the activator is in the path (the autoscaler says so: scale from zero, excess burst capacity below zero,
 * target-burst-capacity -1) it is the activator's {@value #ACTIVATOR_QUEUE} per revision, where only the request
 * timeout bounds waiting; otherwise requests go straight to the replicas' queue-proxies, each holding 10 per slot,
 * so the queue is {@code 10 x containerConcurrency x ready} and a request beyond it gets 503 {@code pending request
 * queue full}. Worked example, containerConcurrency 1 and max-scale 1: a burst of 40 with the activator in the path
 * has 1 running and 39 waiting; without it, 1 running, 10 waiting and 29 refused. Behind the gate the balancer picks
 * a replica with a free slot by Knative's policy for the containerConcurrency.
 *
 * <p>Threading: {@link #setReplicas} comes from the runtime's thread, requests from the event loops; the replica
 * list is replaced whole (copy on write) and read without locks.
 */
public final class RevisionEndpoint {

    /** Requests that may wait at the activator. */
    public static final int ACTIVATOR_QUEUE = 10_000;
    /**
     * How long a replica whose port refused a connection stays out of routing unless the runtime says first that it
     * left: nginx's {@code fail_timeout} default.
     */
    public static final Duration EJECTION = Duration.ofSeconds(10);

    /**
     * A ready replica: where it listens, a local process on loopback or a pod at its IP.
     *
     * @param host an IPv4 address
     */
    public record Backend(String id, String host, int port) {
        public Backend {
            ReplicaAddress.of(host, port); // refused here, once, rather than at the first request
        }

        /** A local process, on loopback. */
        public Backend(String id, int port) {
            this(id, "127.0.0.1", port);
        }

        long address() {
            return ReplicaAddress.of(host, port);
        }
    }

    /**
     * Session affinity by cookie: a response carries {@code cookieName=REPLICA} for {@code maxAgeSeconds}, and a request
     * carrying it goes to that replica while it lives and has a free slot.
     */
    public record Affinity(String cookieName, long maxAgeSeconds) {
    }

    private final RevisionKey key;
    private final int containerConcurrency;
    private final boolean h2c;
    private volatile Duration timeout;
    private final Breaker gate;
    private final Balancer balancer;
    private final RequestStats stats;
    private final Scheduler scheduler;
    /** The ready replicas as the runtime last said. Guarded by this. */
    private List<Backend> listed = List.of();
    /** Listed replicas out of routing because they refused a connection, each until its readmission. Guarded by this. */
    private final Map<String, Scheduler.Cancellable> ejected = new HashMap<>();
    private volatile List<ReplicaSlots> slots = List.of();
    /** Each routed replica's {@link ReplicaAddress}. */
    private volatile Map<String, Long> addresses = Map.of();
    /** Replicas taken out of routing whose requests may still be running, for the drain gate. Guarded by this. */
    private final Map<String, ReplicaSlots> retired = new HashMap<>();
    private final Runnable onColdRequest;
    /** Whether this cold period (no ready replica) has already poked the autoscaler: one poke is enough. */
    private final java.util.concurrent.atomic.AtomicBoolean poked = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Affinity affinity;
    /** Whether the activator is in the path; it is for a new revision (scale from zero), until the autoscaler says. */
    private boolean activatorInPath = true;
    private volatile RequestObserver observer = RequestObserver.NONE;

    /**
     * @param h2c           whether replicas speak HTTP/2 over cleartext (a container port named {@code h2c}, as in
     *                      Knative), which gRPC needs; else HTTP/1.1
     * @param onColdRequest called when a request arrives while no replica is ready, so the autoscaler decides at
     *                      once instead of at its next tick (Knative's activator "poke"); must not block
     */
    public RevisionEndpoint(RevisionKey key, int containerConcurrency, boolean h2c, Duration timeout, Scheduler scheduler,
                            RandomGenerator random, Runnable onColdRequest) {
        this.key = key;
        this.h2c = h2c;
        this.onColdRequest = onColdRequest;
        this.containerConcurrency = containerConcurrency;
        this.timeout = timeout;
        this.gate = new Breaker(0, ACTIVATOR_QUEUE, scheduler);
        this.balancer = Balancer.forContainerConcurrency(containerConcurrency, random);
        this.stats = new RequestStats(scheduler.ticker().nanos());
        this.scheduler = scheduler;
    }

    public RevisionKey key() {
        return key;
    }

    /** Whether replicas speak HTTP/2 over cleartext. */
    public boolean h2c() {
        return h2c;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Bounds the time to a response's first byte for requests from now on. */
    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    Breaker gate() {
        return gate;
    }

    public RequestStats stats() {
        return stats;
    }

    /**
     * Replaces the set of ready replicas; slots of replicas that stay keep their in-flight counts. A replica ejected
     * for refusing a connection stays out while it is listed, until its ejection ends; one the runtime no longer
     * lists is forgotten, so it routes again as soon as the runtime says it is ready again (a restart).
     */
    public synchronized void setReplicas(List<Backend> ready) {
        listed = List.copyOf(ready);
        Set<String> ids = new HashSet<>();
        ready.forEach(b -> ids.add(b.id()));
        ejected.entrySet().removeIf(e -> {
            boolean gone = !ids.contains(e.getKey());
            if (gone) {
                e.getValue().cancel();
            }
            return gone;
        });
        route();
    }

    /**
     * Replaces the ready replicas with the list {@code ready} gives now. Runtimes tell of changes from several
     * threads, each after its change: reading the list under this endpoint's lock makes the last list set the
     * latest, where a list read earlier and set later could bring back a replica that has since died, old port and
     * all, after its ejection was forgotten.
     */
    public synchronized void refreshReplicas(Supplier<List<Backend>> ready) {
        setReplicas(ready.get());
    }

    /**
     * Takes a replica whose port refused a connection out of routing now, without waiting for the runtime to notice
     * it left: requests then wait for the other replicas' slots (the gate's capacity shrinks with it) instead of
     * trying it too. It routes again when the runtime lists it anew after a restart, or after {@link #EJECTION}.
     */
    synchronized void unreachable(ReplicaSlots replica) {
        String id = replica.id();
        if (ejected.containsKey(id) || !addresses.containsKey(id)) {
            return;
        }
        ejected.put(id, scheduler.schedule(() -> readmit(id), EJECTION.toNanos()));
        route();
    }

    private synchronized void readmit(String id) {
        if (ejected.remove(id) != null) {
            route();
        }
    }

    /** Routes to the listed replicas that are not ejected. Caller holds the lock. */
    private void route() {
        Map<String, ReplicaSlots> previous = new HashMap<>(retired);
        slots.forEach(s -> previous.put(s.id(), s));
        List<ReplicaSlots> next = new ArrayList<>();
        Map<String, Long> nextAddresses = new HashMap<>();
        for (Backend b : listed) {
            if (!ejected.containsKey(b.id())) {
                next.add(previous.getOrDefault(b.id(), new ReplicaSlots(b.id(), containerConcurrency)));
                nextAddresses.put(b.id(), b.address());
            }
        }
        next.sort(Comparator.comparing(ReplicaSlots::id));
        for (ReplicaSlots old : slots) {
            if (!nextAddresses.containsKey(old.id()) && old.inFlight() > 0) {
                retired.put(old.id(), old);
            }
        }
        retired.values().removeIf(r -> r.inFlight() == 0 || nextAddresses.containsKey(r.id()));
        addresses = Map.copyOf(nextAddresses);
        slots = List.copyOf(next);
        if (!next.isEmpty()) {
            poked.set(false); // the next time the revision is at zero, its first request pokes again
        }
        applyLimits();
    }

    /** Whether the activator is in the request path, as the autoscaler decides (see the class comment). */
    public synchronized void setActivatorInPath(boolean inPath) {
        if (inPath != activatorInPath) {
            activatorInPath = inPath;
            applyLimits();
        }
    }

    /** The gate's limits from the ready replicas and the activator's place. Caller holds the lock. */
    private void applyLimits() {
        int n = slots.size();
        if (n == 0) {
            gate.setLimits(0, ACTIVATOR_QUEUE);
        } else if (containerConcurrency == 0) {
            gate.setLimits(Integer.MAX_VALUE, ACTIVATOR_QUEUE);
        } else {
            long capacity = (long) containerConcurrency * n;
            long queue = activatorInPath ? ACTIVATOR_QUEUE : 10 * capacity;
            gate.setLimits((int) Math.min(Integer.MAX_VALUE, capacity), (int) Math.min(Integer.MAX_VALUE, queue));
        }
    }

    /** Ready replicas now. */
    public int readyReplicas() {
        return slots.size();
    }

    /** Who is told of each answered request (request logs, metrics). */
    public void setObserver(RequestObserver observer) {
        this.observer = observer;
    }

    RequestObserver observer() {
        return observer;
    }

    /** Requests admitted and not yet answered, and requests waiting at the gate (activator or limiter queue). */
    public int inFlight() {
        return gate.inFlight();
    }

    public int waiting() {
        return gate.waiting();
    }

    /** Turns cookie affinity on ({@code null}: off). */
    public void setAffinity(Affinity affinity) {
        this.affinity = affinity;
    }

    Affinity affinity() {
        return affinity;
    }

    /**
     * Picks a replica and takes one of its slots, or returns {@code null} if none is free: the sticky replica when it
     * is still routed and has a free slot, else the balancer's choice.
     */
    ReplicaSlots pick(String stickyReplica) {
        if (stickyReplica != null) {
            for (ReplicaSlots s : slots) {
                if (s.id().equals(stickyReplica) && s.tryAcquire()) {
                    return s;
                }
            }
        }
        return balancer.pick(slots);
    }

    /**
     * Picks a replica for another try of a request that failed on the replicas {@code tried}: one of the others while
     * one of them has a free slot, else any, as nginx's {@code proxy_next_upstream} moves to the next server. Without
     * this, a replica that just died would draw the retries: its failed tries leave it with the fewest requests in
     * flight, which is what power of two choices prefers (GatewayIT's crash test saw a GET fail its 3 tries on one).
     * Only retries come here, so the list it builds is off the fast path.
     */
    ReplicaSlots pickExcept(List<String> tried) {
        List<ReplicaSlots> all = slots;
        List<ReplicaSlots> others = new ArrayList<>(all.size());
        for (ReplicaSlots s : all) {
            if (!tried.contains(s.id())) {
                others.add(s);
            }
        }
        ReplicaSlots picked = others.isEmpty() ? null : balancer.pick(others);
        return picked != null ? picked : balancer.pick(all);
    }

    /** The {@link ReplicaAddress} of a replica picked earlier; -1 if it went away meanwhile. */
    long address(ReplicaSlots replica) {
        Long a = addresses.get(replica.id());
        return a == null ? -1 : a;
    }

    /** Requests in flight on one replica, routed or retired, for draining. */
    public synchronized int inFlight(String replicaId) {
        for (ReplicaSlots s : slots) {
            if (s.id().equals(replicaId)) {
                return s.inFlight();
            }
        }
        ReplicaSlots r = retired.get(replicaId);
        return r == null ? 0 : r.inFlight();
    }

    /**
     * Tells the autoscaler when a request finds no replica ready, once per cold period (Knative's activator likewise
     * sends one immediate stat, not one per request); later requests are counted by the regular stats.
     */
    void arrived() {
        if (slots.isEmpty() && poked.compareAndSet(false, true)) {
            onColdRequest.run();
        }
    }
}
