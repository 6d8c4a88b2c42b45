package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The tide CLI as a user runs it: a separate process against a real server. */
class CliIT {

    @RegisterExtension
    static final TideServerExtension TIDE = new TideServerExtension();

    private Exec.Result tide(String stdin, String... args) {
        String[] withServer = new String[args.length + 2];
        System.arraycopy(args, 0, withServer, 0, args.length);
        withServer[args.length] = "--server";
        withServer[args.length + 1] = TIDE.url();
        boolean offline = args[0].equals("validate") || args[0].equals("version");
        return Exec.run(Exec.tideCommand(offline ? args : withServer), stdin, 60);
    }

    @Test
    void validateAcceptsEverySeedOffline() {
        Exec.Result r = tide(null, "validate", "-f", Exec.repo().resolve("examples/seeds").toString());
        assertThat(r.rc()).as("%s", r).isZero();
        assertThat(r.out()).contains("Service \"knative-sd-demo\": valid")
                .contains("warning: stored but not acted on by Tide yet: k8s.aliyun.com/eci-use-specs");
    }

    @Test
    void everyCommandHasHelpAndFailuresSayWhat() throws Exception {
        for (List<String> command : List.of(List.of("cache"), List.of("cache", "prefetch"), List.of("logs"), List.of("load"),
                List.of("get"), List.of("simulate"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.add("--help");
            Exec.Result r = Exec.run(Exec.tideCommand(args.toArray(String[]::new)), null, 60);
            assertThat(r.rc()).as("%s: %s", command, r).isZero();
            assertThat(r.out()).as("%s", command).startsWith("Usage: tide " + String.join(" ", command) + " ");
        }
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Exec.Result r = Exec.run(Exec.tideCommand("cache", "prefetch", "--data-dir", TIDE.dir().resolve("prefetch").toString(),
                "http://127.0.0.1:" + closed + "/model.onnx"), null, 60);
        assertThat(r.rc()).as("%s", r).isEqualTo(1);
        assertThat(r.err()).as("the model and the reason, not a bare exception name")
                .contains("failed    http://127.0.0.1:" + closed + "/model.onnx: could not connect");
    }

    /**
     * The model server's start-up cache: a training run makes it, and a second run that requires it
     * ({@code -XX:AOTMode=on}, which refuses a cache made for other jars or flags) gets ready with it.
     */
    @Test
    void theModelServersStartUpCacheIsMadeAndFitsTheReplicasJvm() throws Exception {
        java.nio.file.Path cache = TIDE.dir().resolve("modelserver.aot");
        String jvm = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Exec.Result r = Exec.run(List.of(jvm, "-cp", Exec.repo().resolve("tide-cli/target/tide-cli.jar").toString(),
                "dev.tide.cli.AotTraining", Exec.repo().resolve("examples/models/all-minilm-l6-v2").toString(), cache.toString()),
                null, 240);
        assertThat(r.rc()).as("%s", r).isZero();
        assertThat(r.out()).as("%s", r).containsPattern("model server ready in \\d+ ms without the start-up cache, \\d+ ms with it");
        assertThat(java.nio.file.Files.size(cache)).isGreaterThan(1 << 20);
    }

    @Test
    void validateRefusesBadInputWithPathsAndExitCode1() {
        Exec.Result r = tide("""
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: x
                spec:
                  template:
                    spec:
                      containerConcurrency: 2000
                      containers:
                        - image: i
                  traffic:
                    - latestRevision: true
                      percent: 101
                """, "validate", "-f", "-");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.out()).contains("<stdin>: Service \"x\": expected 0 <= 2000 <= 1000: spec.template.spec.containerConcurrency")
                .contains("<stdin>: Service \"x\": expected 0 <= 101 <= 100: spec.traffic[0].percent");
    }

    @Test
    void unservedKindsAreRefusedNamingTheKindAndTidesEquivalent() {
        Exec.Result r = tide(null, "apply", "-f",
                Exec.repo().resolve("examples/seeds/unserved/000-knative-ai-inference-best-practices-02-dataset-oss-data.yaml").toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).contains("Tide does not serve data.fluid.io/v1alpha1 Dataset \"oss-data\"").contains("storageUri");
        Exec.Result v1 = tide(null, "apply", "-f",
                Exec.repo().resolve("examples/seeds/unserved/003-stable-diffusion-on-serverless-knative-03-service-v1-portal-server.yaml").toString());
        assertThat(v1.err()).contains("Tide does not serve v1 Service \"portal-server\"").contains("serving.knative.dev/v1");
    }

    @Test
    void applyGetDescribeDelete() {
        String yaml = """
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: iris
                spec:
                  predictor:
                    minReplicas: 0
                    model:
                      modelFormat:
                        name: sklearn
                      storageUri: file:///models/iris
                """;
        Exec.Result created = tide(yaml, "apply", "-f", "-", "-n", "cli");
        assertThat(created.rc()).as("%s", created).isZero();
        assertThat(created.out()).contains("inferenceservice.serving.kserve.io/iris created");
        assertThat(tide(yaml, "apply", "-f", "-", "-n", "cli").out()).contains("inferenceservice.serving.kserve.io/iris unchanged");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Exec.Result get = tide(null, "get", "ksvc", "-n", "cli");
            assertThat(get.out()).contains("iris-predictor", "http://iris-predictor.cli.example.com", "iris-predictor-00001");
        });
        Exec.Result describe = tide(null, "describe", "isvc", "iris", "-n", "cli");
        assertThat(describe.rc()).as("as kubectl describe: a failing object is shown, not an error").isZero();
        assertThat(describe.out()).contains("URL:          http://iris.cli.example.com", "PredictorReady", "RevisionFailed",
                "Tide has no model server for modelFormat \"sklearn\"; its runtimes serve [onnx]");
        assertThat(tide(null, "get", "isvc", "iris", "-n", "cli", "-o", "yaml").out()).contains("storageUri: file:///models/iris");
        Exec.Result deleted = tide(null, "delete", "isvc", "iris", "-n", "cli");
        assertThat(deleted.out()).contains("inferenceservice.serving.kserve.io \"iris\" deleted");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(tide(null, "get", "ksvc", "-n", "cli").out()).contains("No resources found"));
        Exec.Result missing = tide(null, "get", "isvc", "iris", "-n", "cli", "-o", "yaml");
        assertThat(missing.rc()).isEqualTo(1);
        assertThat(missing.err()).contains("inferenceservices.serving.kserve.io \"iris\" not found");
    }

    @Test
    void noServerIsOneClearLine() {
        Exec.Result r = Exec.run(Exec.tideCommand("get", "ksvc", "--server", "http://127.0.0.1:1"), null, 60);
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("error: cannot reach Tide at http://127.0.0.1:1").doesNotContain("Exception");
    }
}
