package dev.tide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Meta;
import dev.tide.api.config.ObservabilityConfig;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.common.template.GoTemplate;
import dev.tide.common.template.RequestLogFields;
import dev.tide.dataplane.gateway.RevisionEndpoint;
import dev.tide.dataplane.observe.RequestLog;
import dev.tide.dataplane.observe.RequestObserver;
import dev.tide.dataplane.observe.RevisionRequestMetrics;
import dev.tide.dataplane.routing.RevisionKey;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What watches each served revision's requests: its Prometheus metrics always, and its request log while
 * {@code config-observability} turns request logging on. Metrics live as long as the revision is served; the log
 * follows the configuration (a new template starts a new log).
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

    private record Watch(RevisionRequestMetrics metrics, String template, RequestLog log) {
    }

    private final MeterRegistry registry;
    private final Map<RevisionKey, Watch> watches = new ConcurrentHashMap<>();

    RevisionObservers(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Sets the endpoint's observer for the revision and the current observability settings. */
    void watch(RevisionEndpoint endpoint, JsonNode revision, ObservabilityConfig config) {
        RevisionKey key = endpoint.key();
        String template = !config.enableRequestLog() ? null
                : config.requestLogTemplate().isBlank() ? DEFAULT_TEMPLATE : config.requestLogTemplate();
        Watch before = watches.get(key);
        if (before != null && java.util.Objects.equals(before.template(), template)) {
            return;
        }
        Map<String, String> labels = Meta.labels(revision);
        String configuration = labels.getOrDefault(ServingLabels.CONFIGURATION, "");
        String service = labels.getOrDefault(ServingLabels.SERVICE, configuration);
        RevisionRequestMetrics metrics = before != null ? before.metrics()
                : new RevisionRequestMetrics(registry, key.namespace(), service, configuration, key.name(), endpoint::inFlight,
                        endpoint::waiting);
        RequestLog log = null;
        if (template != null) {
            try {
                log = new RequestLog(GoTemplate.parse(template, RequestLogFields.ALL), key.namespace(), service, configuration,
                        key.name());
            } catch (IllegalArgumentException e) {
                // Admission warned when the ConfigMap was applied; without a template that parses there is no log.
                log = null;
            }
        }
        watches.put(key, new Watch(metrics, template, log));
        endpoint.setObserver(log == null ? metrics : metrics.andThen(log));
    }

    /** The revision's request log, while request logging is on. */
    Optional<RequestLog> requestLog(String namespace, String revision) {
        Watch w = watches.get(new RevisionKey(namespace, revision));
        return Optional.ofNullable(w == null ? null : w.log());
    }
}
