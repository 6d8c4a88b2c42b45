package dev.tide.dataplane.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tide.common.template.GoTemplate;
import dev.tide.common.template.RequestLogFields;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Request-log lines rendered from Knative templates, compared with what Knative writes for the same request. */
class RequestLogTest {

    /** The seed's template (config-observability in the seed documents), read from the manifest Tide ships. */
    private static String seedTemplate() throws IOException {
        String yaml = Files.readString(Path.of("..", "examples", "seeds",
                "000-knative-ai-inference-best-practices-22-configmap-config-observability.yaml"));
        String line = yaml.lines().filter(l -> l.contains("logging.request-log-template")).findFirst().orElseThrow();
        String quoted = line.substring(line.indexOf('\'') + 1, line.lastIndexOf('\''));
        return quoted.replace("''", "'");
    }

    record Request(String method, String requestUri, String proto, long contentLength, String remoteAddr, HttpHeaders headers,
                   int status, long responseSize, long latencyNanos, String podIp) implements CompletedRequest {
    }

    private static String render(String template, CompletedRequest r) {
        RequestLog log = new RequestLog(GoTemplate.parse(template, RequestLogFields.ALL), "default", "demo", "demo", "demo-00003");
        log.completed(r);
        return log.since(0).lines().getFirst();
    }

    @Test
    void theSeedsTemplateRendersTheSeedsExampleLineByteForByte() throws IOException {
        HttpHeaders h = new DefaultHttpHeaders().add("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
                + "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36");
        Request r = new Request("GET", "/fr", "HTTP/1.1", 0, "10.111.162.1:40502", h, 502, 17, 9_998_150_996L, "10.111.172.168");
        // The log example printed under the template in the seed document, as Knative's queue-proxy wrote it.
        assertThat(render(seedTemplate(), r)).isEqualTo("{\"httpRequest\": {\"requestMethod\": \"GET\", \"requestUrl\": \"/fr\", "
                + "\"requestSize\": \"0\", \"status\": 502, \"responseSize\": \"17\", \"userAgent\": \"Mozilla/5.0 (Macintosh; Intel Mac "
                + "OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\", \"remoteIp\": "
                + "\"10.111.162.1:40502\", \"serverIp\": \"10.111.172.168\", \"referer\": \"\", \"latency\": \"9.998150996s\", "
                + "\"revisionName\": \"demo-00003\", \"protocol\": \"HTTP/1.1\"}, \"traceId\": \"[]\"}");
    }

    @Test
    void escapingHeadersAndNumbersFollowGo() {
        HttpHeaders h = new DefaultHttpHeaders().add("x-b3-traceid", "abc").add("Referer", "http://a/?q=\"1\"&r=<2>\t");
        Request r = new Request("POST", "/v1/models/m:predict?x='y'", "HTTP/1.1", -1, "127.0.0.1:5", h, 200, 0, 40_000, "127.0.0.1");
        assertThat(render("{{js .Request.Referer}}|{{js .Request.RequestURI}}", r))
                .isEqualTo("http://a/?q\\u003D\\\"1\\\"\\u0026r\\u003D\\u003C2\\u003E\\u0009|/v1/models/m:predict?x\\u003D\\'y\\'");
        // Header keys are canonical, as Go's http.Header: the exact canonical name finds the values, another spelling none.
        assertThat(render("{{index .Request.Header \"X-B3-Traceid\"}} {{index .Request.Header \"x-b3-traceid\"}}", r))
                .isEqualTo("[abc] []");
        assertThat(render("{{.Response.Latency}} {{.Request.ContentLength}} {{.Response.Code}}", r)).isEqualTo("4e-05 -1 200");
        assertThat(render("{{- .Request.Method -}}  , {{.Request.Method | js}} {{print .Response.Code \"x\" 3}}", r))
                .isEqualTo("POST, POST 200x3");
    }

    @Test
    void badTemplatesAreRefusedWithThePlaceAndTheRule() {
        assertThatThrownBy(() -> GoTemplate.parse("{{.Request.Methd}}", RequestLogFields.ALL))
                .hasMessageStartingWith("template: 1: can't evaluate field .Request.Methd; the fields are .Request.ContentLength, .Request.Header, ");
        assertThatThrownBy(() -> GoTemplate.parse("a {{index .Request.Header \\\"X\\\"}}", RequestLogFields.ALL))
                .hasMessage("template: 1: unexpected \"\\\" in command (at column 3)");
        assertThatThrownBy(() -> GoTemplate.parse("{{.Request.Method", RequestLogFields.ALL))
                .hasMessage("template: 1: unclosed action (at column 1)");
        assertThatThrownBy(() -> GoTemplate.parse("{{upper .Request.Method}}", RequestLogFields.ALL))
                .hasMessageStartingWith("template: 1: function \"upper\" not defined");
    }
}
