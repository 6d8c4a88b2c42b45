package dev.tide.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tide.api.Json;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import java.io.IOException;

/**
 * {@code GET /metrics/targets}: every running replica as a Prometheus HTTP service-discovery target
 * ({@code http_sd_configs}), so Prometheus scrapes each model server's own {@code /metrics} directly, as it scrapes
 * pods in a cluster. Labels: {@code namespace_name}, {@code revision_name}, {@code pod_name}. A replica that is leaving
 * (draining, or stopped) is no target: it takes no new request, and a deleted service's replicas leave the list at once.
 */
final class ScrapeTargets implements HttpHandler {

    private final ReplicaRuntime runtime;

    ScrapeTargets(ReplicaRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            for (Replica r : runtime.replicas()) {
                if (r.state() == Replica.State.STOPPED || r.state() == Replica.State.DRAINING || r.port() <= 0) {
                    continue;
                }
                ObjectNode t = out.addObject();
                t.putArray("targets").add(r.host() + ":" + r.port());
                t.putObject("labels").put("namespace_name", r.namespace()).put("revision_name", r.revision()).put("pod_name", r.id());
            }
            HttpReplies.send(ex, 200, "application/json", Json.MAPPER.writeValueAsBytes(out));
        }
    }
}
