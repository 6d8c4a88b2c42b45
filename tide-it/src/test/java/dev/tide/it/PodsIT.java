package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tide.it.fixtures.FixtureServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replicas as the Pods a Kubernetes user debugs with, driven by the real kubectl: {@code get pods} (with label
 * selectors and {@code -w} during a scale-up), {@code describe pod}, {@code logs} ({@code --tail}, {@code -f},
 * {@code --previous}), {@code delete pod} (the replica is replaced), and a crash and an OOM kill on the pod's status.
 */
class PodsIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final TideServerExtension TIDE = new TideServerExtension();

    private final Kubectl kubectl = TIDE.kubectl();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void closeClient() {
        http.close();
    }

    private List<String> pods(String service) {
        String out = kubectl.ok("get", "pods", "-n", "pods", "-l", "serving.knative.dev/service=" + service, "-o", "name");
        return Arrays.stream(out.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.replace("pod/", "")).toList();
    }

    private String onePod(String service) {
        await().atMost(WAIT).until(() -> pods(service).size() == 1);
        return pods(service).getFirst();
    }

    private String podField(String pod, String jsonpath) {
        return kubectl.ok("get", "pod", pod, "-n", "pods", "-o", "jsonpath={" + jsonpath + "}");
    }

    private int get(String host, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(TIDE.ingress() + path)).header("Host", host)
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    @Test
    void podsAreWatchedDuringAScaleUpDescribedAndReplacedWhenDeleted() {
        kubectl.apply(FixtureServer.knativeService("busy", "pods", """
                autoscaling.knative.dev/min-scale: "1"
                autoscaling.knative.dev/target: "1"
                autoscaling.knative.dev/window: "6s"
                autoscaling.knative.dev/max-scale: "3\"""", "", "--sleep-ms", "200"));
        String first = onePod("busy");
        await().atMost(WAIT).until(() -> podField(first, ".status.containerStatuses[0].ready").equals("true"));
        assertThat(kubectl.ok("get", "pods", "-n", "pods")).contains(first).containsPattern(first + " +1/1 +Running +0 ");
        try (Kubectl.Streaming watch = kubectl.stream("get", "pods", "-n", "pods", "-w", "--no-headers",
                "-l", "serving.knative.dev/service=busy")) {
            await().atMost(WAIT).until(() -> watch.lines().stream().anyMatch(l -> l.startsWith(first)));
            Exec.Result load = Exec.run(List.of("hey", "-z", "6s", "-c", "8", "-host", "busy.pods.example.com", TIDE.ingress() + "/"),
                    null, 60);
            assertThat(load.rc()).as("%s", load).isZero();
            // A pod the scale-up added, reported by the watch as it became ready.
            await().atMost(WAIT).until(() -> watch.lines().stream()
                    .filter(l -> l.matches("busy-00001-deployment-\\S+ +1/1 +Running.*")).map(l -> l.split(" +")[0])
                    .collect(Collectors.toSet()).size() >= 2);
        }
        String describe = kubectl.ok("describe", "pod", first, "-n", "pods");
        assertThat(describe).contains("Controlled By:  Revision/busy-00001").contains("serving.knative.dev/service=busy")
                .containsPattern("Restart Count: +0").containsPattern("Ready: +True");
        await().atMost(WAIT).until(() -> pods("busy").size() == 1);
        String survivor = pods("busy").getFirst();
        assertThat(kubectl.ok("delete", "pod", survivor, "-n", "pods")).contains("pod \"" + survivor + "\" deleted");
        // As a Deployment would: another pod takes its place.
        await().atMost(WAIT).until(() -> {
            List<String> now = pods("busy");
            return now.size() == 1 && !now.contains(survivor);
        });
        Exec.Result gone = kubectl.run("get", "pod", survivor, "-n", "pods");
        assertThat(gone.rc()).isNotZero();
        assertThat(gone.err()).contains("pods \"" + survivor + "\" not found");
    }

    @Test
    void logsAreTailedAndFollowed() throws Exception {
        kubectl.apply(FixtureServer.knativeService("talk", "pods", "autoscaling.knative.dev/min-scale: \"1\"", ""));
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "ksvc", "talk", "-n", "pods", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("True"));
        String pod = onePod("talk");
        await().atMost(WAIT).until(() -> kubectl.ok("logs", pod, "-n", "pods").contains("fixture listening on"));
        assertThat(kubectl.ok("logs", pod, "-n", "pods", "--tail", "1").strip()).startsWith("fixture listening on");
        try (Kubectl.Streaming follow = kubectl.stream("logs", "-f", pod, "-n", "pods")) {
            await().atMost(WAIT).until(() -> follow.lines().stream().anyMatch(l -> l.startsWith("fixture listening on")));
            assertThat(get("talk.pods.example.com", "/say?first-line")).isEqualTo(200);
            assertThat(get("talk.pods.example.com", "/say?second-line")).isEqualTo(200);
            await().atMost(WAIT).until(() -> follow.lines().containsAll(List.of("said first-line", "said second-line")));
            assertThat(follow.alive()).as("following").isTrue();
        }
        // tide's own CLI reads the same pod's output.
        Exec.Result tide = Exec.run(Exec.tideCommand("logs", "pod/" + pod, "-n", "pods", "--tail", "1", "--server", TIDE.url()), null, 60);
        assertThat(tide.rc()).as("%s", tide).isZero();
        assertThat(tide.out().strip()).isEqualTo("said second-line");
        Exec.Result tidePrevious = Exec.run(Exec.tideCommand("logs", "pod/" + pod, "-n", "pods", "--previous", "--server", TIDE.url()),
                null, 60);
        assertThat(tidePrevious.rc()).isEqualTo(1);
        assertThat(tidePrevious.err()).contains("previous terminated container \"user-container\" in pod");
        Exec.Result since = kubectl.run("logs", pod, "-n", "pods", "--since", "1m");
        assertThat(since.rc()).isNotZero();
        assertThat(since.err()).contains("sinceSeconds: Tide keeps no time for the lines a replica prints");
        Exec.Result previous = kubectl.run("logs", pod, "-n", "pods", "--previous");
        assertThat(previous.rc()).isNotZero();
        assertThat(previous.err()).contains("previous terminated container \"user-container\" in pod \"" + pod + "\" not found");
    }

    @Test
    void aCrashingReplicasPodShowsItsRestartsLastStateAndPreviousLogs() {
        kubectl.apply(FixtureServer.knativeService("crashy", "pods", "autoscaling.knative.dev/min-scale: \"1\"", "",
                "--crash-after-ms", "1500"));
        String pod = onePod("crashy");
        await().atMost(WAIT).until(() -> !podField(pod, ".status.containerStatuses[0].restartCount").equals("0"));
        assertThat(podField(pod, ".status.containerStatuses[0].lastState.terminated.reason")).isEqualTo("Error");
        assertThat(podField(pod, ".status.containerStatuses[0].lastState.terminated.exitCode")).isEqualTo("3");
        assertThat(kubectl.ok("logs", pod, "-n", "pods", "--previous")).contains("fixture crashing on purpose")
                .contains("tide: process exited with code 3");
        // The kubelet's events, on the pod.
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("describe", "pod", pod, "-n", "pods"))
                .containsPattern("Last State: +Terminated").containsPattern("Exit Code: +3")
                .containsPattern("Warning +BackOff .* container exited; restarting it with back-off")
                .containsPattern("Normal +Started .* container (re)?started"));
    }

    @Test
    void anOomKilledReplicaSaysSoOnItsPod() {
        kubectl.apply("""
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: hog
                  namespace: pods
                spec:
                  template:
                    spec:
                      containers:
                        - image: example.com/hog
                          command: ["python3", "-c", "import time\\nhog = b'x' * (256 << 20)\\ntime.sleep(600)"]
                          resources:
                            limits:
                              memory: 64Mi
                """);
        String pod = onePod("hog");
        await().atMost(WAIT).until(() -> podField(pod, ".status.containerStatuses[0].lastState.terminated.reason").equals("OOMKilled"));
        assertThat(podField(pod, ".status.containerStatuses[0].lastState.terminated.exitCode")).isEqualTo("137");
        assertThat(kubectl.ok("describe", "pod", pod, "-n", "pods")).containsPattern("Reason: +OOMKilled");
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "events", "-n", "pods", "--field-selector",
                "involvedObject.kind=Pod,involvedObject.name=" + pod + ",reason=OOMKilled", "-o", "jsonpath={.items[0].message}"))
                .startsWith("container was OOMKilled (").endsWith("at resources.limits.memory 64.0 MiB); restarting it with back-off"));
    }

    @Test
    void podsAreNotWritten() {
        Exec.Result r = kubectl.withInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: mine
                  namespace: pods
                spec:
                  containers:
                    - name: c
                      image: example.com/c
                """, "apply", "-f", "-");
        assertThat(r.rc()).isNotZero();
        assertThat(r.err()).contains("pods are Tide's view of a revision's replicas");
        assertThat(Set.copyOf(pods("none"))).isEmpty();
    }
}
