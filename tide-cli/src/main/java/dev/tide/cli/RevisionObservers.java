package dev.tide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Meta;
import dev.tide.api.config.ObservabilityConfig;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.common.template.GoTemplate;
import dev.tide.common.template.RequestLogFields;
import dev.tide.dataplane.gateway.RevisionEndpoint;
import dev.tide.dataplane.observe.RequestLog;
import dev.tide.dataplane.observe.RevisionRequestMetrics;
import dev.tide.dataplane.routing.RevisionKey;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What watches each served revision's requests: its Prometheus metrics always, and its request log while
 * {@code config-observability} turns request logging on. Metrics are made once, when the revision's endpoint is; the
 * template is parsed once per configuration change and every revision's log follows it (a new template starts new
 * logs).
 *
 * <p>Threading: {@link #watch} and {@link #configure} run on the routing feed's thread; {@link #requestLog} on any.
 */
final class RevisionObservers {

    /**
     * Knative's default request-log template, used when {@code logging.enable-request-log} is on and no template is
     * given.
     */
    static final String DEFAULT_TEMPLATE = "{\"httpRequest\": {\"requestMethod\": \"{{.Request.Method}}\", \"requestUrl\": "
            + "\"{{js .Request.RequestURI}}\", \"requestSize\": \"{{.Request.ContentLength}}\", \"status\": {{.Response.Code}}, "
            + "\"responseSize\": \"{{.Response.Size}}\", \"userAgent\": \"{{js .Request.UserAgent}}\", \"remoteIp\": "
            + "\"{{js .Request.RemoteAddr}}\", \"serverIp\": \"{{.Revision.PodIP}}\", \"referer\": \"{{js .Request.Referer}}\", "
            + "\"latency\": \"{{.Response.Latency}}s\", \"protocol\": \"{{.Request.Proto}}\"}, \"traceId\": "
            + "\"{{index .Request.Header \"X-B3-Traceid\"}}\"}";

    private record Watch(RevisionEndpoint endpoint, RevisionRequestMetrics metrics, String service, String configuration) {
    }

    private final MeterRegistry registry;
    private final Map<RevisionKey, Watch> watches = new ConcurrentHashMap<>();
    private final Map<RevisionKey, RequestLog> logs = new ConcurrentHashMap<>();
    /** The template in force, null while request logging is off. */
    private String template;
    /** It, parsed; null when off or when it does not parse (admission warned then). */
    private GoTemplate parsed;

    RevisionObservers(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Starts watching a revision's new endpoint: its metrics, and its request log when logging is on. */
    void watch(RevisionEndpoint endpoint, String service, String configuration) {
        RevisionKey key = endpoint.key();
        Watch w = new Watch(endpoint, new RevisionRequestMetrics(registry, key.namespace(), service, configuration, key.name(),
                endpoint::inFlight, endpoint::waiting), service, configuration);
        watches.put(key, w);
        apply(w);
    }

    /** Stops watching a revision that is gone: its meters leave the registry, its request log goes. */
    void forget(RevisionKey key) {
        Watch w = watches.remove(key);
        if (w != null) {
            w.metrics().close();
        }
        logs.remove(key);
    }

    /** Follows the observability settings; does nothing unless the request-log template changed. */
    void configure(ObservabilityConfig config) {
        String next = !config.enableRequestLog() ? null
                : config.requestLogTemplate().isBlank() ? DEFAULT_TEMPLATE : config.requestLogTemplate();
        if (Objects.equals(next, template)) {
            return;
        }
        template = next;
        try {
            parsed = next == null ? null : GoTemplate.parse(next, RequestLogFields.ALL);
        } catch (IllegalArgumentException e) {
            parsed = null; // admission warned when the ConfigMap was applied; without a template that parses, no log
        }
        watches.values().forEach(this::apply);
    }

    private void apply(Watch w) {
        RevisionKey key = w.endpoint().key();
        if (parsed == null) {
            logs.remove(key);
            w.endpoint().setObserver(w.metrics());
            return;
        }
        RequestLog log = new RequestLog(parsed, key.namespace(), w.service(), w.configuration(), key.name());
        logs.put(key, log);
        w.endpoint().setObserver(w.metrics().andThen(log));
    }

    /** The revision's request log, while request logging is on. */
    Optional<RequestLog> requestLog(String namespace, String revision) {
        return Optional.ofNullable(logs.get(new RevisionKey(namespace, revision)));
    }
}
