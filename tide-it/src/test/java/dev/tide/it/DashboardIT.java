package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.it.fixtures.FixtureServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard in Debian's headless Chromium: it loads with no console errors, shows a service the test applied, and
 * after its stress-test panel sends load, the replica chart of a revision that was at zero shows a ready replica.
 */
class DashboardIT {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @RegisterExtension
    static final TideServerExtension TIDE = new TideServerExtension();

    private final Kubectl kubectl = TIDE.kubectl();

    /** The most ready replicas the page's replica chart has drawn for the selected revision. */
    private static final String READY_DRAWN = "(() => { const c = window.tide.charts['chart-replicas']; if (!c) return -1;"
            + " const ready = c.data[2].filter(v => v != null); return ready.length ? Math.max(...ready) : -1; })()";

    @Test
    void showsAServiceAndItsScalingAfterAStressTest() throws Exception {
        kubectl.allowZeroInitialScale();
        // Listed first, never ready: the page must open on the ready service instead, its stress panel too.
        kubectl.apply(FixtureServer.knativeService("aaa-broken", "dash", "", "", "--crash-after-ms", "0"));
        kubectl.apply(FixtureServer.knativeService("echo", "dash", "autoscaling.knative.dev/initial-scale: \"0\"", "",
                "--sleep-ms", "50"));
        await().atMost(WAIT).until(() -> "True".equals(kubectl.ok("get", "ksvc", "echo", "-n", "dash", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")));

        Path profile = Files.createDirectories(TIDE.dir().resolve("chromium"));
        try (Chromium browser = Chromium.start(profile)) {
            browser.navigate(TIDE.url() + "/dashboard/");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> browser.eval(
                    "document.body.dataset.loaded === 'true' && !!document.querySelector('[data-service=\"echo\"]')"
                            + " && window.tide.selected && window.tide.selected.revision === 'echo-00001'"
                            + " && !!window.tide.charts['chart-replicas'] && !!window.tide.charts['chart-forecast']").asBoolean());
            assertThat(browser.eval("document.querySelector('[data-service=\"echo\"]').innerText").asText())
                    .contains("echo", "dash", "http://echo.dash.example.com", "echo-00001");
            assertThat(browser.eval(READY_DRAWN).asDouble()).as("at zero before any request").isLessThanOrEqualTo(0);
            assertThat(browser.eval("document.querySelector('[data-service=\"aaa-broken\"]') !== null").asBoolean()).isTrue();
            assertThat(browser.eval("document.getElementById('load-service').value").asText()).as("the stress panel's default")
                    .isEqualTo("dash/echo");

            // The stress-test panel: concurrency 5, 20 requests, as in the seed's pressure test.
            browser.eval("(() => { document.getElementById('load-concurrency').value = '5'; document.getElementById('load-total').value = '20';"
                    + " document.getElementById('load-run').click(); return true; })()");
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() ->
                    "20".equals(browser.eval("document.getElementById('load-result').dataset.requests || ''").asText()));
            assertThat(browser.eval("document.getElementById('load-result').textContent").asText())
                    .contains("Status code distribution:", "[200]\t20 responses");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> browser.eval(READY_DRAWN).asDouble() >= 1);
            // The replica table shows the pods kubectl shows.
            String pod = kubectl.ok("get", "pods", "-n", "dash", "-l", "serving.knative.dev/revision=echo-00001", "-o",
                    "jsonpath={.items[0].metadata.name}");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> browser.eval(
                    "(() => { const r = document.querySelector('#replicas tr[data-pod=\"" + pod + "\"]');"
                            + " return !!r && r.cells[1].textContent === 'Running'; })()").asBoolean());
            // Requests per second are sampled once a second and the page polls its history on its own timer, so the
            // stress test's last second reaches the chart a poll or two after the replica count does: wait for the chart
            // to have counted them, then hold it to exactly the 20 sent (never more).
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> chartedRequests(browser) >= 20);
            assertThat(chartedRequests(browser)).as("the requests chart counts the stress test's requests").isEqualTo(20);
            Files.write(TIDE.dir().resolve("dashboard.png"), browser.screenshot());
            assertThat(browser.errors()).as("the page's console").isEmpty();
        }
    }

    /** The sum of the requests chart's per-second values: the requests it has counted. */
    private static double chartedRequests(Chromium browser) {
        double sum = 0;
        for (JsonNode v : browser.eval("window.tide.charts['chart-requests'].data[1].filter(v => v != null)")) {
            sum += v.asDouble();
        }
        return sum;
    }
}
