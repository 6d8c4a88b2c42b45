package dev.tide.controlplane.apiserver;

import com.sun.net.httpserver.HttpExchange;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.pods.PodView;
import dev.tide.controlplane.registry.ApiException;
import dev.tide.runtime.ReplicaRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /api/v1/namespaces/NS/pods/NAME/log}: a replica's output as {@code kubectl logs} reads a container's, with
 * Kubernetes' parameters {@code follow}, {@code previous}, {@code tailLines}, {@code limitBytes} and {@code container}.
 * Tide keeps no time for each line, so {@code timestamps}, {@code sinceSeconds} and {@code sinceTime} are refused
 * rather than ignored. Following ends when the client goes away, the pod goes, or the server stops.
 */
final class PodLogs {

    /** How long a follower waits for a line before checking that its pod and the server are still there. */
    private static final Duration WAIT = Duration.ofMillis(500);

    private PodLogs() {
    }

    static void send(HttpExchange ex, PodView pods, String namespace, String name, Map<String, String> q, BooleanSupplier closing)
            throws IOException {
        for (String unsupported : List.of("sinceSeconds", "sinceTime")) {
            if (q.containsKey(unsupported)) {
                throw ApiException.badRequest(unsupported + ": Tide keeps no time for the lines a replica prints, so it cannot "
                        + "select them by time; use tailLines (kubectl logs --tail N)");
            }
        }
        if ("true".equals(q.get("timestamps"))) {
            throw ApiException.badRequest("timestamps: Tide keeps no time for the lines a replica prints");
        }
        boolean follow = "true".equals(q.get("follow"));
        boolean previous = "true".equals(q.get("previous"));
        long tail = number(q, "tailLines");
        long limitBytes = number(q, "limitBytes");
        String container = q.get("container");
        var pod = pods.get(namespace, name).orElseThrow(() -> ApiException.notFound(ResourceTypes.POD, name));
        String containerName = pod.path("spec").path("containers").path(0).path("name").asText();
        if (container != null && !container.isEmpty() && !container.equals(containerName)) {
            throw ApiException.badRequest("container " + container + " is not valid for pod " + name);
        }
        PodView.Logs logs;
        try {
            logs = pods.logs(namespace, name, previous).orElseThrow(() -> ApiException.notFound(ResourceTypes.POD, name));
        } catch (IllegalStateException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        long[] budget = {limitBytes < 0 ? Long.MAX_VALUE : limitBytes};
        try {
            ReplicaRuntime.Output first = pods.output(logs, 0, Duration.ZERO);
            List<String> lines = first.lines();
            if (tail >= 0 && lines.size() > tail) {
                lines = lines.subList(lines.size() - (int) tail, lines.size());
            }
            if (!write(out, lines, budget) || !follow || previous) {
                return;
            }
            long next = first.nextLine();
            while (!closing.getAsBoolean() && pods.exists(logs.replicaId())) {
                ReplicaRuntime.Output o = pods.output(logs, next, WAIT);
                next = o.nextLine();
                if (!write(out, o.lines(), budget)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes and flushes {@code lines} within {@code budget} bytes; false once the budget is spent. */
    private static boolean write(OutputStream out, List<String> lines, long[] budget) throws IOException {
        if (lines.isEmpty()) {
            return budget[0] > 0;
        }
        StringBuilder b = new StringBuilder();
        lines.forEach(l -> b.append(l).append('\n'));
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        int n = (int) Math.min(bytes.length, budget[0]);
        out.write(bytes, 0, n);
        out.flush();
        budget[0] -= n;
        return budget[0] > 0;
    }

    private static long number(Map<String, String> q, String key) {
        String v = q.get(key);
        if (v == null || v.isEmpty()) {
            return -1;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw ApiException.badRequest(key + ": must be greater than or equal to 0: " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(key + ": not a number: " + v);
        }
    }
}
