package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tide.it.fixtures.FixtureServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tide's core loop end to end: a Knative Service applied with kubectl runs as local processes, requests through
 * Tide's ingress scale it from zero, the KPA decides the count, and it goes back to zero when idle.
 */
class ServingIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final TideServerExtension TIDE = new TideServerExtension();

    private final Kubectl kubectl = TIDE.kubectl();
    private final Path tmp = TIDE.dir();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void closeClient() {
        http.close();
    }

    private static String service(String name, String annotations, String templateSpec, String... args) {
        return FixtureServer.knativeService(name, "serving", annotations, templateSpec, args);
    }

    private HttpResponse<String> get(String host) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(TIDE.ingress() + "/")).header("Host", host)
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int actualReplicas(String revision) {
        String v = kubectl.ok("get", "rev", revision, "-n", "serving", "-o", "jsonpath={.status.actualReplicas}");
        return v.isEmpty() ? 0 : Integer.parseInt(v);
    }

    private void awaitReady(String service) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "ksvc", service, "-n", "serving", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("True"));
    }

    @Test
    void scalesFromZeroAndBackToZero() throws Exception {
        kubectl.apply(service("zero", "autoscaling.knative.dev/window: \"6s\"", ""));
        awaitReady("zero");
        await().atMost(WAIT).until(() -> actualReplicas("zero-00001") == 0);
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "rev", "zero-00001", "-n", "serving", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Active\")].reason}")).isEqualTo("NoTraffic"));
        HttpResponse<String> cold = get("zero.serving.example.com");
        assertThat(cold.statusCode()).isEqualTo(200);
        assertThat(cold.body()).startsWith("revision=zero-00001");
        long pid = pid(cold.body());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).hasValue(true);
        await().atMost(WAIT).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        await().atMost(WAIT).until(() -> actualReplicas("zero-00001") == 0);
        // What happened is in the revision's Events, as kubectl shows them.
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "events", "-n", "serving", "--field-selector",
                "involvedObject.name=zero-00001")).contains("Scaled from 0 to 1 replicas (activation: a request arrived with no replica ready)")
                .contains("Scaled from 1 to 0 replicas").contains("Started").contains("Ready").contains("Stopped"));
        assertThat(kubectl.ok("describe", "rev", "zero-00001", "-n", "serving")).contains("Events:").contains("ScaledUp")
                .contains("tide-autoscaler");
    }

    @Test
    void aDeletedServiceAnswersTheRequestItTookThenLeavesNoEndpointOrMeters() throws Exception {
        kubectl.apply(service("bye", "autoscaling.knative.dev/min-scale: \"1\"", "", "--sleep-ms", "3000"));
        awaitReady("bye");
        CompletableFuture<HttpResponse<String>> slow = http.sendAsync(HttpRequest.newBuilder(URI.create(TIDE.ingress() + "/"))
                .header("Host", "bye.serving.example.com").timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        Pattern inFlight = Pattern.compile("(?m)^revision_queue_depth\\{[^}]*revision_name=\"bye-00001\"[^}]*} 1(\\.0)?$");
        await().atMost(WAIT).until(() -> inFlight.matcher(metrics()).find());
        kubectl.ok("delete", "ksvc", "bye", "-n", "serving");
        HttpResponse<String> answered = slow.get(60, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).as("taken before the delete: answered").isEqualTo(200);
        assertThat(answered.body()).startsWith("revision=bye-00001");
        // Gone with its revision: no meter of it is left (a re-created service starts afresh, on the dashboard too).
        await().atMost(WAIT).until(() -> !metrics().contains("revision_name=\"bye-00001\""));
    }

    private static String metrics() {
        return Exec.run(List.of("curl", "-sS", TIDE.url() + "/metrics"), null, 30).out();
    }

    @Test
    void hpaClassScalesOutOnCpuUtilizationOfTheRequest() throws Exception {
        // Each request burns 40 ms of CPU; two clients keep one replica near 80% of a core, 800% of its 100m request.
        kubectl.apply(service("burner", """
                autoscaling.knative.dev/class: "hpa.autoscaling.knative.dev"
                autoscaling.knative.dev/metric: "cpu"
                autoscaling.knative.dev/target: "200"
                autoscaling.knative.dev/max-scale: "3\"""", "", "--burn-ms", "40").replace("\n          args:", "\n          resources:\n            requests:\n              cpu: 100m\n          args:"));
        awaitReady("burner");
        assertThat(actualReplicas("burner-00001")).as("HPA: never below one").isEqualTo(1);
        Thread load = Thread.ofVirtual().start(() -> Exec.run(List.of("hey", "-z", "30s", "-c", "2", "-host", "burner.serving.example.com",
                TIDE.ingress() + "/"), null, 120));
        try {
            await().atMost(WAIT).until(() -> actualReplicas("burner-00001") >= 2);
        } finally {
            load.interrupt();
        }
        assertThat(kubectl.ok("get", "rev", "burner-00001", "-n", "serving", "-o",
                "jsonpath={.status.conditions[?(@.type==\"ResourceRequestSet\")].status}")).as("a request is set").isEmpty();
    }

    @Test
    void hpaClassWithoutARequestSaysSo() {
        kubectl.apply(service("norequest", "autoscaling.knative.dev/class: \"hpa.autoscaling.knative.dev\"", ""));
        awaitReady("norequest");
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "rev", "norequest-00001", "-n", "serving", "-o",
                "jsonpath={.status.conditions[?(@.type==\"ResourceRequestSet\")].reason}")).isEqualTo("NoResourceRequest"));
    }

    @Test
    void aCpuLimitIsHeldByTheReplicasCgroupWhereTheHostGivesOneAndOtherwiseStoredWithAWarning() throws Exception {
        String limited = service("limited", "", "").replace("\n          args:",
                "\n          resources:\n            limits:\n              cpu: \"2\"\n              memory: 512Mi\n          args:");
        String warning = "Warning: spec.template.spec.containers[0].resources.limits.cpu: stored but not enforced for local replicas";
        String condition = "jsonpath={.status.conditions[?(@.type==\"ResourceLimitsEnforced\")]['reason','message']}";
        // This server: whatever this host's cgroups allow, as it logged at start.
        String out = kubectl.apply(limited);
        awaitReady("limited");
        java.util.Optional<String> cgroups = TIDE.output().stream().filter(l -> l.contains("replicas with limits get cgroups (")).findFirst();
        if (cgroups.isPresent() && cgroups.get().contains(", cpu)")) {
            String version = cgroups.get().replaceAll(".*get cgroups \\((cgroup v[12]):.*", "$1");
            assertThat(out).doesNotContain("Warning:");
            await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "rev", "limited-00001", "-n", "serving", "-o", condition))
                    .isEqualTo("Enforced resources.limits.cpu (2): enforced by the kernel (" + version + " CPU quota per 100 ms); "
                            + "resources.limits.memory (512Mi): enforced by the kernel (" + version + " memory limit)"));
        } else {
            assertThat(out).contains(warning);
        }
        // A server told not to use cgroups: the CPU limit is stored only, and both the warning and the condition say so.
        Path data = Files.createDirectories(tmp.resolve("no-cgroups"));
        try (TideProcess own = TideProcess.start(data, List.of("--replica-user", "root", "--no-replica-cgroups"), Map.of())) {
            Kubectl k = new Kubectl(own.url(), Files.createDirectories(tmp.resolve("no-cgroups-cache")));
            assertThat(k.apply(limited)).contains(warning);
            await().atMost(WAIT).untilAsserted(() -> assertThat(k.ok("get", "rev", "limited-00001", "-n", "serving", "-o",
                    "jsonpath={.status.conditions[?(@.type==\"ResourceLimitsEnforced\")].reason}")).isEqualTo("CPULimitNotEnforced"));
        }
    }

    @Test
    void theActivatorQueuesABurstOfFortyAtContainerConcurrencyOneAndMaxScaleOne() throws Exception {
        kubectl.apply(service("burst", "autoscaling.knative.dev/max-scale: \"1\"", "containerConcurrency: 1", "--sleep-ms", "100"));
        awaitReady("burst");
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(http.sendAsync(HttpRequest.newBuilder(URI.create(TIDE.ingress() + "/")).header("Host", "burst.serving.example.com")
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : all) {
            statuses.add(f.get(90, TimeUnit.SECONDS).statusCode());
        }
        assertThat(statuses).as("Knative's activator holds up to 10,000 per revision").containsOnly(200);
    }

    /** The pids of a revision's replica processes, from the runtime's pid files ({@code PID.pid}: "START REPLICA-ID"). */
    private List<Long> replicaPids(String revision) throws IOException {
        Path dir = TIDE.dataDir().resolve("runtime/replicas");
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                try {
                    if (name.endsWith(".pid") && Files.readString(f).contains(" " + revision + "-")) {
                        out.add(Long.parseLong(name.substring(0, name.length() - 4)));
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // the replica stopped while we looked
                }
            }
        }
        return out;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void idleReplicasLeaveAtOnceOnScaleDownAndDeleteLeavesNoProcessNorTarget() throws Exception {
        // Initial scale 3, min 1: after the 6 s window two idle replicas go; they must not wait out the 300 s timeout.
        kubectl.apply(service("shrink", "autoscaling.knative.dev/window: \"6s\"\nautoscaling.knative.dev/initial-scale: \"3\"\n"
                + "autoscaling.knative.dev/min-scale: \"1\"", "timeoutSeconds: 300"));
        awaitReady("shrink");
        await().atMost(WAIT).until(() -> replicaPids("shrink-00001").size() == 3);
        List<Long> pids = replicaPids("shrink-00001");
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> pids.stream().filter(ServingIT::alive).count() == 1);
        long shrunkMs = (System.nanoTime() - start) / 1_000_000;
        await().atMost(WAIT).until(() -> actualReplicas("shrink-00001") == 1);

        long last = pids.stream().filter(ServingIT::alive).findFirst().orElseThrow();
        kubectl.ok("delete", "ksvc", "shrink", "-n", "serving");
        long deleted = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> !alive(last));
        long goneMs = (System.nanoTime() - deleted) / 1_000_000;
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(
                URI.create(TIDE.url() + "/metrics/targets")).build(), HttpResponse.BodyHandlers.ofString()).body()).doesNotContain("shrink"));
        System.out.printf("scale 3 -> 1 took %d ms from ready (6 s window); the last replica exited %d ms after the delete%n", shrunkMs, goneMs);
    }

    @Test
    void seed004FiveInFlightAtTargetOneEndsWithFiveReplicasAndNoErrors() throws Exception {
        kubectl.apply(service("flowers", "autoscaling.knative.dev/target: \"1\"\nautoscaling.knative.dev/target-utilization-percentage: \"100\"",
                "", "--sleep-ms", "50"));
        awaitReady("flowers");
        AtomicInteger maxSeen = new AtomicInteger();
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    maxSeen.accumulateAndGet(actualReplicas("flowers-00001"), Math::max);
                } catch (AssertionError | RuntimeException e) {
                    return;
                }
            }
        });
        Exec.Result hey = Exec.run(List.of("hey", "-z", "30s", "-c", "5", "-host", "flowers.serving.example.com", TIDE.ingress() + "/"),
                null, 120);
        watcher.interrupt();
        watcher.join(10_000);
        assertThat(hey.rc()).as("%s", hey).isZero();
        Matcher ok = Pattern.compile("\\[200]\\s+(\\d+) responses").matcher(hey.out());
        assertThat(ok.find()).as("hey output:\n%s", hey.out()).isTrue();
        assertThat(heyStatuses(hey.out())).as(hey.out()).doesNotContainPattern("\\[(?!200)\\d{3}]");
        assertThat(hey.out()).doesNotContain("Error distribution");
        assertThat(Integer.parseInt(ok.group(1))).isGreaterThan(100);
        assertThat(actualReplicas("flowers-00001")).isEqualTo(5);
        assertThat(maxSeen.get()).as("never more than 6 replicas").isLessThanOrEqualTo(6);
    }

    @Test
    void aRolloutUnderLoadLosesNoRequest() throws Exception {
        kubectl.apply(service("roll", "autoscaling.knative.dev/min-scale: \"1\"\nautoscaling.knative.dev/window: \"6s\"", "", "--sleep-ms", "20"));
        awaitReady("roll");
        Process hey = new ProcessBuilder("hey", "-z", "20s", "-c", "4", "-host", "roll.serving.example.com", TIDE.ingress() + "/")
                .redirectErrorStream(true).start();
        java.util.concurrent.CompletableFuture<String> heyOut = Exec.read(hey.getInputStream());
        // The new template makes revision 2; once it is ready the route moves to it and revision 1 drains and stops.
        await().atMost(WAIT).until(() -> get("roll.serving.example.com").statusCode() == 200);
        kubectl.apply(service("roll", "autoscaling.knative.dev/min-scale: \"1\"\nautoscaling.knative.dev/window: \"6s\"", "", "--sleep-ms", "21"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("roll.serving.example.com").body()).startsWith("revision=roll-00002"));
        await().atMost(WAIT).until(() -> actualReplicas("roll-00001") == 0);
        assertThat(hey.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String out = heyOut.get();
        Matcher ok = Pattern.compile("\\[200]\\s+(\\d+) responses").matcher(out);
        assertThat(ok.find()).as("hey output:\n%s", out).isTrue();
        assertThat(heyStatuses(out)).as("every response a 200 across the rollout:\n%s", out).doesNotContainPattern("\\[(?!200)\\d{3}]");
        assertThat(out).doesNotContain("Error distribution");
        assertThat(Integer.parseInt(ok.group(1))).isGreaterThan(200);
    }

    /**
     * hey's "Status code distribution" section only: its latency histogram also prints counts in brackets
     * ({@code 0.042 [169]}), which a pattern for status codes would take for a status.
     */
    private static String heyStatuses(String heyOutput) {
        int at = heyOutput.indexOf("Status code distribution:");
        return at < 0 ? heyOutput : heyOutput.substring(at);
    }

    @Test
    void logsShowEachReplicasOutput() throws Exception {
        kubectl.apply(service("chatty", "autoscaling.knative.dev/min-scale: \"1\"", ""));
        awaitReady("chatty");
        await().atMost(WAIT).untilAsserted(() -> {
            Exec.Result logs = Exec.run(Exec.tideCommand("logs", "chatty-00001", "-n", "serving", "--server", TIDE.url()), null, 60);
            assertThat(logs.rc()).as("%s", logs).isZero();
            assertThat(logs.out()).containsPattern("\\[chatty-00001-\\d+] fixture listening on \\d+");
        });
    }

    @Test
    void tagsRouteToTheirRevision() throws Exception {
        kubectl.apply(service("tagged", "autoscaling.knative.dev/window: \"6s\"", "") + """
                  traffic:
                    - latestRevision: true
                      percent: 100
                      tag: current
                """);
        awaitReady("tagged");
        HttpResponse<String> byTag = get("current-tagged.serving.example.com");
        assertThat(byTag.statusCode()).isEqualTo(200);
        assertThat(byTag.body()).startsWith("revision=tagged-00001");
    }

    @Test
    void theServerStoppedUnderLoadAnswersWhatItTookAndLeavesNoReplica() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("orphans"));
        List<Long> pids = new ArrayList<>();
        try (TideProcess own = TideProcess.start(data)) {
            Kubectl k = new Kubectl(own.url(), Files.createDirectories(tmp.resolve("orphans-cache")));
            k.apply(service("lonely", "autoscaling.knative.dev/min-scale: \"2\"\nautoscaling.knative.dev/window: \"6s\"", "",
                    "--sleep-ms", "3000"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(k.ok("get", "rev", "lonely-00001", "-n", "serving", "-o",
                    "jsonpath={.status.actualReplicas}")).isEqualTo("2"));
            ProcessHandle.of(own.pid()).orElseThrow().descendants().forEach(h -> pids.add(h.pid()));
            assertThat(pids).isNotEmpty();
            // Six requests of 3 s each are in the replicas when Tide gets SIGTERM: each is answered before it exits.
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                inFlight.add(http.sendAsync(HttpRequest.newBuilder(URI.create(own.ingress() + "/"))
                        .header("Host", "lonely.serving.example.com").timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Pattern sixInFlight = Pattern.compile("(?m)^revision_queue_depth\\{[^}]*revision_name=\"lonely-00001\"[^}]*} 6\\.0$");
            await().atMost(WAIT).until(() -> sixInFlight.matcher(http.send(HttpRequest.newBuilder(URI.create(own.url() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).find());
            assertThat(inFlight).noneMatch(CompletableFuture::isDone);
            assertThat(own.stop(Duration.ofSeconds(60))).isIn(0, 143);
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).startsWith("revision=lonely-00001");
            }
        }
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d", pid).isFalse();
        }
    }

    private static long pid(String body) {
        Matcher m = Pattern.compile("pid=(\\d+)").matcher(body);
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
