package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real kubectl against a real Tide server: the commands the foundation promises work. */
class KubectlIT {

    @RegisterExtension
    static final TideServerExtension TIDE = new TideServerExtension();

    private final Kubectl kubectl = TIDE.kubectl();
    private final Path tmp = TIDE.dir();

    private static String service(String name, String ns, String image, String annotations) {
        return """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  template:
                    metadata:
                      annotations:
                        note: "x"
                %s    spec:
                      containers:
                        - image: %s
                """.formatted(name, ns, annotations.indent(8), image);
    }

    @Test
    void everySeedManifestAppliesUnchanged() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Exec.repo().resolve("examples/seeds"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(30);
        for (Path f : files) {
            Exec.Result r = kubectl.run("apply", "-f", f.toString());
            assertThat(r.rc()).as("kubectl apply -f %s\n%s", f.getFileName(), r).isZero();
            assertThat(r.out()).containsAnyOf(" created", " configured", " unchanged");
        }
        String table = kubectl.ok("get", "ksvc", "-A");
        assertThat(table.lines().findFirst().orElseThrow())
                .containsSubsequence("NAMESPACE", "NAME", "URL", "LATESTCREATED", "LATESTREADY", "READY", "REASON", "AGE");
        assertThat(table).contains("http://knative-sd-demo.default.example.com", "http://sd-backend.default.example.com",
                "http://flowers-sample-predictor.default.example.com");
        assertThat(kubectl.ok("get", "isvc")).contains("flowers-sample", "torch-transformer");
        assertThat(kubectl.ok("get", "cm", "-n", "knative-serving")).contains("config-autoscaler", "config-observability");
    }

    @Test
    void templateChangeMakesTheNextRevisionButMetadataDoesNot() {
        kubectl.apply(service("rollout", "revs", "example.com/app:1", ""));
        kubectl.apply(service("rollout", "revs", "example.com/app:2", ""));
        kubectl.ok("label", "ksvc", "rollout", "-n", "revs", "team=serving");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(kubectl.ok("get", "revisions", "-n", "revs", "-o", "name"))
                        .isEqualTo("revision.serving.knative.dev/rollout-00001\nrevision.serving.knative.dev/rollout-00002\n"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(kubectl.ok("get", "ksvc", "rollout", "-n", "revs", "-o", "jsonpath={.status.latestCreatedRevisionName}"))
                        .isEqualTo("rollout-00002"));
        assertThat(kubectl.ok("get", "ksvc", "rollout", "-n", "revs", "-o", "jsonpath={.metadata.generation}")).isEqualTo("2");
    }

    @Test
    void applyingTheSameManifestTwiceIsUnchanged() {
        String yaml = service("same", "idem", "example.com/app:1", "autoscaling.knative.dev/target: \"10\"");
        assertThat(kubectl.apply(yaml)).contains("service.serving.knative.dev/same created");
        assertThat(kubectl.apply(yaml)).contains("service.serving.knative.dev/same unchanged");
    }

    @Test
    void invalidAnnotationsAreRefusedWithTheirFieldPath() {
        Exec.Result r = kubectl.withInput(service("bad", "invalid", "example.com/app:1",
                "autoscaling.knative.dev/target-utilization-percentage: \"0\"\nautoscaling.knative.dev/window: \"5s\""), "apply", "-f", "-");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).contains("expected 1 <= 0 <= 100: spec.template.metadata.annotations[autoscaling.knative.dev/target-utilization-percentage]")
                .contains("expected 6s <= 5s <= 1h0m0s: spec.template.metadata.annotations[autoscaling.knative.dev/window]");
        assertThat(kubectl.run("get", "ksvc", "bad", "-n", "invalid").rc()).isEqualTo(1);
    }

    @Test
    void anUnquotedTargetIsStoredAsTextWithAWarning() {
        String out = kubectl.apply(service("unquoted", "warn", "example.com/app:1", "autoscaling.knative.dev/target: 1"));
        assertThat(out).contains("Warning: spec.template.metadata.annotations[autoscaling.knative.dev/target]: 1 is not a string");
        assertThat(kubectl.ok("get", "ksvc", "unquoted", "-n", "warn", "-o",
                "jsonpath={.spec.template.metadata.annotations.autoscaling\\.knative\\.dev/target}")).isEqualTo("1");
    }

    @Test
    void yamlOutputKeepsTheLastAppliedConfiguration() {
        kubectl.apply(service("shown", "yaml", "example.com/app:1", ""));
        String yaml = kubectl.ok("get", "ksvc", "shown", "-n", "yaml", "-o", "yaml");
        assertThat(yaml).contains("kubectl.kubernetes.io/last-applied-configuration", "uid:", "resourceVersion:", "creationTimestamp:",
                "generation: 1");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(kubectl.ok("get", "ksvc", "shown", "-n", "yaml", "-o", "jsonpath={.status.url}"))
                        .isEqualTo("http://shown.yaml.example.com"));
    }

    @Test
    void watchStreamsChanges() throws Exception {
        kubectl.apply(service("watched", "watch", "example.com/app:1", ""));
        Process w = new ProcessBuilder(Kubectl.binary(), "--server", TIDE.url(), "--cache-dir", tmp.resolve("kube-cache").toString(),
                "get", "ksvc", "-n", "watch", "-w").start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(w.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // The watch ended.
            }
        });
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> lines.stream().anyMatch(l -> l.startsWith("watched")));
            int before = lines.size();
            kubectl.ok("annotate", "ksvc", "watched", "-n", "watch", "touched=yes");
            await().atMost(Duration.ofSeconds(20)).until(() -> lines.size() > before);
            assertThat(lines.get(0)).startsWith("NAME");
            assertThat(lines.stream().filter(l -> l.startsWith("NAME")).count()).as("one header, Table events").isEqualTo(1);
        } finally {
            w.destroy();
            reader.join(5000);
        }
    }

    @Test
    void deletingAServiceDeletesItsRevisionsAndRoute() {
        kubectl.apply(service("doomed", "gc", "example.com/app:1", ""));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(kubectl.ok("get", "revisions,routes,configurations", "-n", "gc", "-o", "name")).contains("doomed-00001"));
        assertThat(kubectl.ok("delete", "ksvc", "doomed", "-n", "gc")).contains("\"doomed\" deleted");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(kubectl.ok("get", "revisions,routes,configurations", "-n", "gc", "-o", "name")).isEmpty());
        Exec.Result again = kubectl.run("delete", "ksvc", "doomed", "-n", "gc");
        assertThat(again.rc()).isEqualTo(1);
        assertThat(again.err()).contains("services.serving.knative.dev \"doomed\" not found");
    }

    @Test
    void serverSideApplyCreatesAndUpdates() {
        String yaml = service("ssa", "ssa", "example.com/app:1", "");
        Exec.Result created = kubectl.withInput(yaml, "apply", "--server-side", "-f", "-");
        assertThat(created.rc()).as("%s", created).isZero();
        assertThat(created.out()).contains("serverside-applied");
        Exec.Result updated = kubectl.withInput(yaml.replace("app:1", "app:2"), "apply", "--server-side", "-f", "-");
        assertThat(updated.rc()).as("%s", updated).isZero();
        assertThat(kubectl.ok("get", "ksvc", "ssa", "-n", "ssa", "-o", "jsonpath={.spec.template.spec.containers[0].image}"))
                .isEqualTo("example.com/app:2");
    }

    @Test
    void serverDryRunAndDiffAdmitWithoutWriting() {
        String yaml = service("dry", "dry", "example.com/app:1", "");
        Exec.Result created = kubectl.withInput(yaml, "apply", "--dry-run=server", "-f", "-");
        assertThat(created.rc()).as("%s", created).isZero();
        assertThat(created.out()).contains("service.serving.knative.dev/dry created (server dry run)");
        assertThat(kubectl.run("get", "ksvc", "dry", "-n", "dry").rc()).as("nothing stored").isNotZero();
        Exec.Result invalid = kubectl.withInput(yaml.replace("note: \"x\"", "autoscaling.knative.dev/max-scale: \"-1\""),
                "apply", "--dry-run=server", "-f", "-");
        assertThat(invalid.rc()).isNotZero();
        assertThat(invalid.err()).contains("autoscaling.knative.dev/max-scale");
        kubectl.apply(yaml);
        Exec.Result same = kubectl.withInput(yaml, "diff", "-f", "-");
        assertThat(same.rc()).as("no difference: %s", same).isZero();
        Exec.Result changed = kubectl.withInput(yaml.replace("app:1", "app:2"), "diff", "-f", "-");
        assertThat(changed.rc()).as("a difference: %s", changed).isEqualTo(1);
        assertThat(changed.out()).contains("-      - image: example.com/app:1").contains("+      - image: example.com/app:2")
                .contains("-  generation: 1").contains("+  generation: 2");
        assertThat(kubectl.ok("get", "ksvc", "dry", "-n", "dry", "-o", "jsonpath={.spec.template.spec.containers[0].image}"))
                .as("diff wrote nothing").isEqualTo("example.com/app:1");
        assertThat(kubectl.ok("delete", "ksvc", "dry", "-n", "dry", "--dry-run=server")).contains("deleted (server dry run)");
        assertThat(kubectl.run("get", "ksvc", "dry", "-n", "dry").rc()).as("still there").isZero();
    }

    @Test
    void explainDescribesTheServedKindsFromTheirSchemas() {
        String field = kubectl.ok("explain", "ksvc.spec.template.spec.containerConcurrency");
        assertThat(field).contains("KIND:       Service").contains("FIELD: containerConcurrency <integer>")
                .contains("The most requests one replica is given at once");
        assertThat(kubectl.ok("explain", "isvc.spec.predictor.model")).contains("storageUri\t<string>").contains("modelFormat\t<Object>");
        assertThat(kubectl.ok("explain", "revisions.spec.containers.resources")).contains("OOMKilled and restarted");
        assertThat(kubectl.ok("explain", "pods")).contains("KIND:       Pod").contains("One replica of a revision");
        assertThat(kubectl.ok("explain", "pods.spec.containers.image")).contains("FIELD: image <string>");
        assertThat(kubectl.ok("explain", "ksvc.status.latestReadyRevisionName")).contains("FIELD: latestReadyRevisionName <string>")
                .contains("The newest revision that became Ready");
        assertThat(kubectl.ok("explain", "pods.status.containerStatuses.lastState.terminated.exitCode")).contains("<integer>");
        // The same schemas through OpenAPI v2, which kubectl reads as protocol buffers.
        assertThat(kubectl.ok("explain", "--output=plaintext-openapiv2", "ksvc.spec.template.spec.containerConcurrency"))
                .contains("FIELD:    containerConcurrency <integer>").contains("The most requests one replica is given at once");
        assertThat(kubectl.ok("explain", "--output=plaintext-openapiv2", "isvc.status.components"))
                .contains("KIND:     InferenceService").contains("latestReadyRevision\t<string>");
        Exec.Result unknown = kubectl.run("explain", "ksvc.spec.template.spec.nope");
        assertThat(unknown.rc()).isNotZero();
        assertThat(unknown.err()).contains("field \"nope\" does not exist");
        // kubectl leaves validation to Tide, which the documents say takes fieldValidation: an unknown field is named.
        Exec.Result typo = kubectl.withInput(service("typo", "typo", "example.com/app:1", "").replace("containers:", "containerz:"),
                "apply", "-f", "-");
        assertThat(typo.rc()).isNotZero();
        assertThat(typo.err()).contains("containerz");
    }

    @Test
    void jsonPatchEditsByPointerAndATestThatFailsChangesNothing() {
        kubectl.apply(service("jp", "jp", "example.com/app:1", "autoscaling.knative.dev/target: \"10\""));
        kubectl.ok("patch", "ksvc", "jp", "-n", "jp", "--type=json", "-p",
                "[{\"op\":\"replace\",\"path\":\"/spec/template/metadata/annotations/autoscaling.knative.dev~1target\",\"value\":\"5\"},"
                        + "{\"op\":\"add\",\"path\":\"/spec/template/spec/containerConcurrency\",\"value\":3}]");
        assertThat(kubectl.ok("get", "ksvc", "jp", "-n", "jp", "-o",
                "jsonpath={.spec.template.metadata.annotations.autoscaling\\.knative\\.dev/target} {.spec.template.spec.containerConcurrency}"))
                .isEqualTo("5 3");
        Exec.Result failed = kubectl.run("patch", "ksvc", "jp", "-n", "jp", "--type=json", "-p",
                "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containerConcurrency\",\"value\":4},"
                        + "{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"other\"}]");
        assertThat(failed.rc()).isNotZero();
        assertThat(failed.err()).contains("operation 1 (test): the value at /metadata/name is not the one tested");
        assertThat(kubectl.ok("get", "ksvc", "jp", "-n", "jp", "-o", "jsonpath={.spec.template.spec.containerConcurrency}"))
                .as("all or nothing").isEqualTo("3");
        Exec.Result invalid = kubectl.run("patch", "ksvc", "jp", "-n", "jp", "--type=json", "-p",
                "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containerConcurrency\",\"value\":5000}]");
        assertThat(invalid.rc()).isNotZero();
        assertThat(invalid.err()).contains("spec.template.spec.containerConcurrency");
    }

    @Test
    void secretsAreBase64AndConfigMapsValidated() {
        kubectl.apply("""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: creds
                  namespace: secrets
                stringData:
                  token: s3cr3t
                """);
        assertThat(kubectl.ok("get", "secret", "creds", "-n", "secrets", "-o", "jsonpath={.data.token}")).isEqualTo("czNjcjN0");
        Exec.Result bad = kubectl.withInput("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: config-autoscaler
                  namespace: knative-serving
                data:
                  max-scale-up-rate: "1.0"
                """, "apply", "-f", "-");
        assertThat(bad.rc()).isEqualTo(1);
        assertThat(bad.err()).contains("data[max-scale-up-rate]");
    }

    @Test
    void objectsSurviveKill9AndARestart() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("crash-data"));
        Path cache = Files.createDirectories(tmp.resolve("crash-cache"));
        List<String> names = new ArrayList<>();
        try (TideProcess first = TideProcess.start(data)) {
            Kubectl k = new Kubectl(first.url(), cache);
            for (int i = 0; i < 5; i++) {
                k.apply(service("durable-" + i, "default", "example.com/app:" + i, ""));
                names.add("durable-" + i);
            }
            first.kill();
            assertThat(first.isAlive()).isFalse();
        }
        try (TideProcess second = TideProcess.start(data)) {
            Kubectl k = new Kubectl(second.url(), cache);
            String list = k.ok("get", "ksvc", "-o", "name");
            for (String n : names) {
                assertThat(list).contains("service.serving.knative.dev/" + n);
            }
            assertThat(k.ok("get", "ksvc", "durable-4", "-o", "jsonpath={.spec.template.spec.containers[0].image}"))
                    .isEqualTo("example.com/app:4");
            k.apply(service("after-crash", "default", "example.com/app:9", ""));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(k.ok("get", "revisions", "-o", "name")).contains("after-crash-00001", "durable-0-00001"));
            assertThat(second.stop(Duration.ofSeconds(20))).as("clean exit on SIGTERM").isIn(0, 143);
        }
    }

    @Test
    void restartsMakeNoRevision() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("restart-data"));
        Path cache = Files.createDirectories(tmp.resolve("restart-cache"));
        String before;
        try (TideProcess first = TideProcess.start(data)) {
            Kubectl k = new Kubectl(first.url(), cache);
            // The examples as ./tide up applies them: Services and InferenceServices, whose Services Tide writes itself.
            Exec.Result applied = k.run("apply", "-f", Exec.repo().resolve("examples/hello.yaml").toString(),
                    "-f", Exec.repo().resolve("examples/minilm.yaml").toString());
            assertThat(applied.rc()).as("%s", applied).isZero();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(k.ok("get", "revisions", "-o", "name")).contains("hello-00001", "minilm-predictor-00001"));
            before = k.ok("get", "revisions", "-o", "name");
        }
        for (int restart = 1; restart <= 2; restart++) {
            int n = restart;
            try (TideProcess again = TideProcess.start(data)) {
                Kubectl k = new Kubectl(again.url(), cache);
                // A start reconciles every object at once; the bug made its revision within a second. What is asserted is
                // an absence, so it is watched over a window (every poll must hold for 3 s), not waited for.
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(k.ok("get", "revisions", "-o", "name")).as("restart %s", n).isEqualTo(before));
                assertThat(k.ok("get", "ksvc", "minilm-predictor", "-o", "jsonpath={.metadata.generation}")).isEqualTo("1");
            }
        }
    }
}
