package dev.tide.common.template;

import java.util.Set;

/**
 * The fields a Knative request-log template ({@code config-observability}'s {@code logging.request-log-template}) may
 * use, as Knative's {@code RequestLogTemplateInput} gives them: {@code .Request} (Go's {@code *http.Request}),
 * {@code .Response} (code, size, latency in seconds) and {@code .Revision}. Checked when the ConfigMap is applied and
 * rendered by the gateway. Only leaf fields: printing a whole Go struct ({@code {{.Request}}}) has no useful form.
 */
public final class RequestLogFields {

    public static final Set<String> ALL = Set.of("Request.Method", "Request.RequestURI", "Request.URL",
            "Request.Proto", "Request.ProtoMajor", "Request.ProtoMinor", "Request.Host", "Request.ContentLength",
            "Request.UserAgent", "Request.RemoteAddr", "Request.Referer", "Request.Header", "Response.Code",
            "Response.Size", "Response.Latency", "Revision.Name", "Revision.Namespace", "Revision.Service",
            "Revision.Configuration", "Revision.PodName", "Revision.PodIP");

    private RequestLogFields() {
    }
}
