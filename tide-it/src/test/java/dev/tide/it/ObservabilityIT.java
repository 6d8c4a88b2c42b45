package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tide.it.fixtures.FixtureServer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What Tide shows of known traffic: {@code tide load} and hey send exact numbers of requests to a fixture service;
 * Prometheus' {@code /metrics} counts exactly those under Knative's names, and {@code tide logs --requests} prints one
 * line per request rendered from the seed's config-observability template.
 */
class ObservabilityIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String REVISION = "echo-00001";

    @RegisterExtension
    static final TideServerExtension TIDE = new TideServerExtension();

    private final Kubectl kubectl = TIDE.kubectl();

    private static String metrics(String accept) {
        return Exec.run(List.of("curl", "-sS", "-H", "Accept: " + accept, TIDE.url() + "/metrics"), null, 30).out();
    }

    /** The value of {@code revision_request_count_total} for the revision and a status code; 0 when absent. */
    private static double requestCount(String scrape, int code) {
        Matcher m = Pattern.compile("(?m)^revision_request_count_total\\{([^}]*)} (\\S+)$").matcher(scrape);
        double sum = 0;
        while (m.find()) {
            if (m.group(1).contains("revision_name=\"" + REVISION + "\"") && m.group(1).contains("response_code=\"" + code + "\"")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    private static List<String> requestLog() {
        Exec.Result r = Exec.run(Exec.tideCommand("logs", "--requests", REVISION, "-n", "obs", "--server", TIDE.url()), null, 60);
        assertThat(r.rc()).as("%s", r).isZero();
        return r.out().lines().toList();
    }

    @Test
    void knownTrafficIsCountedLoggedAndSummarised() throws Exception {
        // The seed's config-observability, as shipped in examples/seeds: request logs on, the seed's template.
        kubectl.apply(Files.readString(Exec.repo().resolve(
                "examples/seeds/000-knative-ai-inference-best-practices-22-configmap-config-observability.yaml")));
        kubectl.apply(FixtureServer.knativeService("echo", "obs", "autoscaling.knative.dev/min-scale: \"1\"", ""));
        await().atMost(WAIT).until(() -> "True".equals(kubectl.ok("get", "ksvc", "echo", "-n", "obs", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")));

        // tide load by service name: hey's summary with the exact count.
        Exec.Result load = Exec.run(Exec.tideCommand("load", "echo", "-n", "37", "-c", "3", "--namespace", "obs",
                "--server", TIDE.url(), "--ingress", TIDE.ingress()), null, 120);
        assertThat(load.rc()).as("%s", load).isZero();
        assertThat(load.out()).contains("Summary:", "Requests/sec:", "Latency distribution:", "Status code distribution:")
                .contains("  [200]\t37 responses").doesNotContain("Error distribution");
        Exec.Result json = Exec.run(Exec.tideCommand("load", TIDE.ingress() + "/", "-host", "echo.obs.example.com", "-n", "5",
                "-c", "1", "-o", "json"), null, 120);
        assertThat(json.out()).contains("\"requests\":5").contains("\"statusCodes\":{\"200\":5}");

        // hey, a client nobody here wrote, and one curl with headers the template shows.
        Exec.Result hey = Exec.run(List.of("hey", "-n", "12", "-c", "2", "-host", "echo.obs.example.com", TIDE.ingress() + "/"), null, 120);
        assertThat(hey.out()).as("%s", hey).contains("[200]\t12 responses");
        Exec.Result curl = Exec.run(List.of("curl", "-sS", "-A", "it-agent/1 \"quoted\"", "-H", "X-B3-TraceId: abc123", "-H",
                "Host: echo.obs.example.com", TIDE.ingress() + "/hello?x=1"), null, 30);
        assertThat(curl.rc()).as("%s", curl).isZero();
        int sent = 37 + 5 + 12 + 1;

        // Prometheus' text format, Knative's names and labels: exactly the requests sent.
        await().atMost(Duration.ofSeconds(10)).until(() -> requestCount(metrics("text/plain"), 200) == sent);
        String scrape = metrics("text/plain");
        assertThat(requestCount(scrape, 200)).isEqualTo(sent);
        assertThat(scrape).containsPattern("revision_request_count_total\\{configuration_name=\"echo\",namespace_name=\"obs\","
                + "response_code=\"200\",response_code_class=\"2xx\",revision_name=\"echo-00001\",service_name=\"echo\"}");
        assertThat(scrape).containsPattern("(?m)^revision_request_latencies_count\\{[^}]*revision_name=\"echo-00001\"[^}]*} "
                + sent + "(\\.0)?$");
        assertThat(scrape).containsPattern("revision_request_latencies_bucket\\{[^}]*le=\"5.0\"");
        assertThat(scrape).containsPattern("(?m)^autoscaler_desired_pods\\{[^}]*revision_name=\"echo-00001\"[^}]*} \\d");
        assertThat(scrape).containsPattern("(?m)^autoscaler_actual_pods\\{[^}]*revision_name=\"echo-00001\"[^}]*} 1(\\.0)?$");
        assertThat(scrape).containsPattern("(?m)^autoscaler_panic_mode\\{[^}]*revision_name=\"echo-00001\"[^}]*} [01]");
        assertThat(scrape).containsPattern("(?m)^revision_queue_depth\\{[^}]*revision_name=\"echo-00001\"");
        // OpenMetrics when the scraper asks for it, as Prometheus does.
        assertThat(metrics("application/openmetrics-text; version=1.0.0")).contains("# TYPE revision_request_count counter")
                .endsWith("# EOF\n");

        // One request-log line per request, each the seed's template rendered; the curl's line field by field.
        await().atMost(Duration.ofSeconds(10)).until(() -> requestLog().size() == sent);
        List<String> lines = requestLog();
        assertThat(lines).hasSize(sent).allMatch(l -> l.startsWith("{\"httpRequest\": {\"requestMethod\": \"GET\""));
        assertThat(lines.getLast()).matches(Pattern.quote("{\"httpRequest\": {\"requestMethod\": \"GET\", \"requestUrl\": "
                + "\"/hello?x\\u003D1\", \"requestSize\": \"0\", \"status\": 200, \"responseSize\": \"") + "\\d+"
                + Pattern.quote("\", \"userAgent\": \"it-agent/1 \\\"quoted\\\"\", \"remoteIp\": \"127.0.0.1:") + "\\d+"
                + Pattern.quote("\", \"serverIp\": \"127.0.0.1\", \"referer\": \"\", \"latency\": \"") + "[0-9.e+-]+"
                + Pattern.quote("s\", \"revisionName\": \"echo-00001\", \"protocol\": \"HTTP/1.1\"}, \"traceId\": \"[abc123]\"}"));
    }
}
