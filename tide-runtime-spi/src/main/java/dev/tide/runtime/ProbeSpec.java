package dev.tide.runtime;

import java.time.Duration;
import java.util.List;

/**
 * A readiness or liveness probe, with Kubernetes' fields.
 *
 * @param period            {@link Duration#ZERO}: probe aggressively (every 50 ms) until the first success, as
 *                          Knative's queue-proxy does, so a cold start is not spent waiting for the next probe
 * @param successThreshold  consecutive successes to be ready
 * @param failureThreshold  consecutive failures to be unready (readiness) or restarted (liveness)
 */
public record ProbeSpec(Handler handler, Duration initialDelay, Duration period, Duration timeout, int successThreshold,
                        int failureThreshold) {

    /** How a probe checks the replica. A port of 0 means the replica's own port. */
    public sealed interface Handler {
    }

    /** An HTTP GET answered with a 2xx or 3xx status. */
    public record HttpGet(String path, int port) implements Handler {
    }

    /** A TCP connection accepted. */
    public record TcpSocket(int port) implements Handler {
    }

    /**
     * A gRPC health check ({@code grpc.health.v1.Health/Check}) answered {@code SERVING}, as kubelet's gRPC probe.
     *
     * @param service the service to ask about; empty for the server as a whole
     */
    public record Grpc(int port, String service) implements Handler {
    }

    /** A command exiting with 0. */
    public record Exec(List<String> command) implements Handler {
    }

    /** Knative's default readiness probe: TCP on the replica's port, aggressive until ready. */
    public static ProbeSpec defaultReadiness() {
        return new ProbeSpec(new TcpSocket(0), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), 1, 3);
    }
}
