package dev.tide.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics}: every meter in Prometheus' text format, or OpenMetrics when the scraper asks for it in its
 * {@code Accept} header (Prometheus does by default).
 */
final class MetricsEndpoint implements HttpHandler {

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    MetricsEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            String accept = String.valueOf(ex.getRequestHeaders().getFirst("Accept"));
            String type = accept.contains("application/openmetrics-text") ? OPEN_METRICS : PROMETHEUS_TEXT;
            HttpReplies.send(ex, 200, type, registry.scrape(type).getBytes(StandardCharsets.UTF_8));
        }
    }
}
