package dev.tide.runtime.kubernetes;

import dev.tide.common.time.Scheduler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Tide's own readiness probe of one starting pod: a TCP connect to {@code podIP:containerPort} (100 ms timeout) every
 * 50 ms for its first 10 s, then every second, as Tide's local runtime and Knative's queue-proxy probe, until it
 * connects or is no longer wanted. A cold start then waits for the container, not for the kubelet's probe period.
 */
final class PodProbe {

    static final long EARLY_NANOS = 50_000_000L;
    static final long LATE_NANOS = 1_000_000_000L;
    static final long EARLY_PHASE_NANOS = 10_000_000_000L;

    private final Scheduler scheduler;
    private final Executor blocking;
    private final InetSocketAddress target;
    private final BooleanSupplier wanted;
    private final Runnable connected;
    private final long fromNanos;

    /**
     * @param wanted    asked before each attempt: false ends the probe (the replica is leaving, or the kubelet spoke)
     * @param connected told once, at the first connection, off the caller's thread
     */
    PodProbe(Scheduler scheduler, Executor blocking, String host, int port, BooleanSupplier wanted, Runnable connected) {
        this.scheduler = scheduler;
        this.blocking = blocking;
        this.target = new InetSocketAddress(host, port);
        this.wanted = wanted;
        this.connected = connected;
        this.fromNanos = scheduler.ticker().nanos();
    }

    void start() {
        blocking.execute(this::attempt);
    }

    private void attempt() {
        if (!wanted.getAsBoolean()) {
            return;
        }
        try (Socket s = new Socket()) {
            s.connect(target, 100);
        } catch (IOException e) {
            long next = scheduler.ticker().nanos() - fromNanos < EARLY_PHASE_NANOS ? EARLY_NANOS : LATE_NANOS;
            scheduler.schedule(() -> blocking.execute(this::attempt), next);
            return;
        }
        connected.run();
    }
}
