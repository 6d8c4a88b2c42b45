package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.testing.onnx.OnnxModels;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KServe InferenceServices served by Tide's model server, end to end: applied with kubectl, started from zero by the
 * first request through Tide's gateway, answered by curl; and a model fetched from a real S3-compatible server
 * (S3Proxy, started by the test) with credentials from a Secret that the predictor's ServiceAccount lists,
 * applied after the InferenceService.
 */
class ModelServingIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    // The sample model is under the repository's examples/ and S3Proxy listens on loopback: both allowed explicitly.
    static final TideServerExtension TIDE = TideServerExtension.with("--model-root", Exec.repo().resolve("examples").toString(),
            "--allow-private-model-hosts");

    private final Kubectl kubectl = TIDE.kubectl();

    private static Exec.Result curl(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-sS", "--max-time", "90", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, null, 100);
    }

    /** The body and status of a curl run with {@code -w "\n%{http_code}"}. */
    private static JsonNode ok(Exec.Result r) throws IOException {
        String out = r.out();
        int nl = out.lastIndexOf('\n');
        assertThat(out.substring(nl + 1)).as(r.toString()).isEqualTo("200");
        return JSON.readTree(out.substring(0, nl));
    }

    @Test
    void sampleModelServesEmbeddingsFromZero() throws Exception {
        applySampleModel("minilm", "models", true, "");
        assertThat(kubectl.ok("get", "rev", "minilm-predictor-00001", "-n", "models", "-o", "jsonpath={.status.actualReplicas}"))
                .as("no replica before the first request").isIn("", "0");

        JsonNode v1 = ok(curl("-H", "Host: minilm.models.example.com", TIDE.ingress() + "/v1/models/minilm:predict",
                "-d", "{\"instances\": [\"Hello world\", \"A cat sits on the mat.\"]}"));
        JsonNode reference = JSON.readTree(Files.readString(Exec.repo().resolve(
                "tide-modelserver/src/test/resources/minilm-reference.json")));
        for (int i = 0; i < 2; i++) {
            JsonNode got = v1.path("predictions").get(i);
            JsonNode want = reference.path("vectors").get(i).path("embedding");
            assertThat(got.size()).isEqualTo(384);
            assertThat(cosine(got, want)).isGreaterThanOrEqualTo(0.999);
        }
        await().atMost(WAIT).until(() -> "1".equals(kubectl.ok("get", "rev", "minilm-predictor-00001", "-n", "models", "-o",
                "jsonpath={.status.actualReplicas}")));

        // KServe's v2 path without a Host header: the model name says where it goes.
        JsonNode v2 = ok(curl(TIDE.ingress() + "/v2/models/minilm/infer", "-d",
                "{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"Hello world\"]}]}"));
        JsonNode out = v2.path("outputs").get(0);
        assertThat(out.path("shape").toString()).isEqualTo("[1,384]");
        assertThat(cosine(out.path("data"), reference.path("vectors").get(0).path("embedding"))).isGreaterThanOrEqualTo(0.999);

        // Bad input comes back as the model server's 400 through the gateway.
        Exec.Result bad = curl("-H", "Host: minilm.models.example.com", TIDE.ingress() + "/v2/models/minilm/infer", "-d",
                "{\"inputs\": [{\"name\": \"text\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]}]}");
        assertThat(bad.out()).isEqualTo("{\"error\":\"input text: datatype FP32 does not match the model's BYTES\"}\n400");

        // Prometheus finds the replica through Tide (http_sd) and reads the model server's own metrics: the two
        // predictions, not the warm-up, not the refused request. A file:// model is served in place: no cache traffic.
        assertThat(replicaMetrics("minilm-predictor-00001"))
                .containsPattern("(?m)^tide_modelserver_inference_requests_total\\{model_name=\"minilm\",outcome=\"ok\"} 2(\\.0)?$")
                .containsPattern("(?m)^request_predict_seconds_count\\{model_name=\"minilm\"} 2(\\.0)?$")
                .containsPattern("(?m)^tide_model_cache_hits_total 0(\\.0)?$")
                .containsPattern("(?m)^tide_model_cache_misses_total 0(\\.0)?$");
    }

    /**
     * The v2 REST protocol with clients nobody here wrote: Triton's HTTP client (tritonclient.http) and KServe's
     * Python SDK (InferenceRESTClient), each in JSON and in the binary tensor data extension they use by default,
     * through Tide's ingress to the sample model.
     */
    @Test
    void tritonsAndKServesRestClientsReachAModelInJsonAndInBinary() throws Exception {
        applySampleModel("minilm-rest", "rest", false, "");
        String ingress = TIDE.ingress().replaceFirst("^http://", "");
        Exec.Result r = Exec.run(List.of(PythonClients.python(), PythonClients.script("v2_rest_clients.py"), ingress,
                "minilm-rest.rest.example.com", "minilm-rest"), null, 300);
        assertThat(r.rc()).as("%s", r).isZero();
        JsonNode got = JSON.readTree(r.out());
        JsonNode reference = JSON.readTree(Files.readString(Exec.repo().resolve(
                "tide-modelserver/src/test/resources/minilm-reference.json")));
        JsonNode triton = got.path("triton");
        assertThat(triton.path("live").asBoolean()).as("%s", got).isTrue();
        assertThat(triton.path("ready").asBoolean()).isTrue();
        assertThat(triton.path("model_ready").asBoolean()).isTrue();
        assertThat(triton.path("metadata").path("inputs").get(0).path("name").asText()).isEqualTo("text");
        JsonNode kserve = got.path("kserve");
        assertThat(kserve.path("live").asBoolean()).isTrue();
        assertThat(kserve.path("model_ready").asBoolean()).isTrue();
        for (JsonNode client : List.of(triton, kserve)) {
            for (String form : List.of("binary", "json")) {
                JsonNode answer = client.path(form);
                assertThat(answer.path("shape").toString()).as("%s", answer).isEqualTo("[2,384]");
                assertThat(answer.path("id").asText()).isIn("7", "8");
                for (int i = 0; i < 2; i++) {
                    assertThat(cosine(answer.path("data").get(i), reference.path("vectors").get(i).path("embedding")))
                            .as("%s %d", form, i).isGreaterThanOrEqualTo(0.999);
                }
            }
        }
    }

    /**
     * KServe's way to ask for gRPC, a predictor port named {@code h2c}: Triton's Python client (tritonclient.grpc)
     * reaches the model through Tide's ingress, from zero, and REST still works on the same replica. Its readiness
     * probe is a gRPC health check, which the model server answers SERVING once the model is loaded.
     */
    @Test
    void tritonsGrpcClientReachesAModelThroughTheIngress() throws Exception {
        applySampleModel("minilm-grpc", "grpc", true, """
                ports:
                  - name: h2c
                    containerPort: 8081
                    protocol: TCP
                readinessProbe:
                  grpc:
                    port: 8081
                """);
        assertThat(kubectl.ok("get", "rev", "minilm-grpc-predictor-00001", "-n", "grpc", "-o", "jsonpath={.status.actualReplicas}"))
                .as("no replica before the first call").isIn("", "0");

        String ingress = TIDE.ingress().replaceFirst("^http://", "");
        Exec.Result r = Exec.run(List.of(PythonClients.python(), PythonClients.script("triton_grpc.py"), ingress,
                "minilm-grpc.grpc.example.com", "minilm-grpc"), null, 300);
        assertThat(r.rc()).as("%s", r).isZero();
        JsonNode got = JSON.readTree(r.out());
        assertThat(got.path("live").asBoolean()).as("%s", got).isTrue();
        assertThat(got.path("ready").asBoolean()).isTrue();
        assertThat(got.path("model_ready").asBoolean()).isTrue();
        assertThat(got.path("metadata").path("name").asText()).isEqualTo("minilm-grpc");
        assertThat(got.path("metadata").path("inputs").get(0).path("datatype").asText()).isEqualTo("BYTES");
        assertThat(got.path("output").path("shape").toString()).isEqualTo("[2,384]");
        JsonNode reference = JSON.readTree(Files.readString(Exec.repo().resolve(
                "tide-modelserver/src/test/resources/minilm-reference.json")));
        for (int i = 0; i < 2; i++) {
            assertThat(cosine(got.path("output").path("data").get(i), reference.path("vectors").get(i).path("embedding")))
                    .isGreaterThanOrEqualTo(0.999);
        }
        assertThat(got.path("error").path("status").asText()).isEqualTo("StatusCode.INVALID_ARGUMENT");
        assertThat(got.path("error").path("message").asText()).isEqualTo("input text: datatype FP32 does not match the model's BYTES");

        // The same replica answers REST: the ingress speaks h2c to it, as to every replica whose port is named h2c.
        JsonNode rest = ok(curl("-H", "Host: minilm-grpc.grpc.example.com", TIDE.ingress() + "/v2/models/minilm-grpc/infer", "-d",
                "{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"Hello world\"]}]}"));
        assertThat(cosine(rest.path("outputs").get(0).path("data"), reference.path("vectors").get(0).path("embedding")))
                .isGreaterThanOrEqualTo(0.999);
        await().atMost(WAIT).until(() -> "1".equals(kubectl.ok("get", "rev", "minilm-grpc-predictor-00001", "-n", "grpc", "-o",
                "jsonpath={.status.actualReplicas}")));

        // KServe's stop: the replica and the route go, and the status says why; resuming serves again from zero.
        kubectl.ok("annotate", "isvc", "minilm-grpc", "-n", "grpc", "serving.kserve.io/stop=true");
        await().atMost(WAIT).until(() -> "Stopped".equals(kubectl.ok("get", "isvc", "minilm-grpc", "-n", "grpc", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}")));
        await().atMost(WAIT).until(() -> kubectl.ok("get", "ksvc,rev", "-n", "grpc", "-o", "name").isBlank());
        Exec.Result gone = curl("-H", "Host: minilm-grpc.grpc.example.com", TIDE.ingress() + "/v2/models/minilm-grpc/ready");
        assertThat(gone.out()).endsWith("\n404");
        kubectl.ok("annotate", "--overwrite", "isvc", "minilm-grpc", "-n", "grpc", "serving.kserve.io/stop=false");
        awaitReady("minilm-grpc", "grpc");
        assertThat(kubectl.ok("get", "isvc", "minilm-grpc", "-n", "grpc", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Stopped\")].status}")).isEqualTo("False");
        ok(curl("-H", "Host: minilm-grpc.grpc.example.com", TIDE.ingress() + "/v2/models/minilm-grpc/ready"));
    }

    /**
     * Applies an InferenceService serving the sample model (at zero when {@code fromZero}, the model spec's
     * {@code modelExtra} fields added) and waits for it to be Ready.
     */
    @Test
    void aStockKServeTransformerCallsItsPredictorByItsClusterLocalHost() throws Exception {
        // The transformer, on KServe's Python SDK, puts "a photo of" before each text: its answer is the predictor's for that.
        applySampleModel("photo", "transform", false, """
                transformer:
                  minReplicas: 1
                  containers:
                    - name: kserve-container
                      image: example.com/transformer
                      command: ["%s", "%s"]
                """.formatted(PythonClients.python(), PythonClients.script("kserve_transformer.py")), 2);
        JsonNode viaTransformer = ok(curl("-H", "Host: photo.transform.example.com", "-H", "Content-Type: application/json",
                TIDE.ingress() + "/v1/models/photo:predict",
                "-d", "{\"instances\": [\"a cat\"]}"));
        assertThat(viaTransformer.path("transformer").asText()).as("%s", viaTransformer).isEqualTo("prefix");
        JsonNode direct = ok(curl("-H", "Host: photo-predictor.transform.example.com", TIDE.ingress() + "/v1/models/photo:predict",
                "-d", "{\"instances\": [\"a photo of a cat\"]}"));
        assertThat(cosine(viaTransformer.path("predictions").get(0), direct.path("predictions").get(0))).isGreaterThanOrEqualTo(0.9999);
        JsonNode plain = ok(curl("-H", "Host: photo-predictor.transform.example.com", TIDE.ingress() + "/v1/models/photo:predict",
                "-d", "{\"instances\": [\"a cat\"]}"));
        assertThat(cosine(viaTransformer.path("predictions").get(0), plain.path("predictions").get(0)))
                .as("the transformer's prefix made a difference").isLessThan(0.99);
    }

    private void applySampleModel(String name, String namespace, boolean fromZero, String modelExtra) {
        applySampleModel(name, namespace, fromZero, modelExtra, 6);
    }

    /** @param indent where {@code extra} goes: 6 under the model, 2 beside the predictor (a transformer) */
    private void applySampleModel(String name, String namespace, boolean fromZero, String extra, int indent) {
        Path model = Exec.repo().resolve("examples/models/all-minilm-l6-v2").toAbsolutePath().normalize();
        if (fromZero) {
            kubectl.allowZeroInitialScale();
        }
        kubectl.apply("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: %s
                  namespace: %s
                  annotations:
                    autoscaling.knative.dev/initial-scale: "%s"
                spec:
                  predictor:
                    minReplicas: %s
                    model:
                      modelFormat:
                        name: onnx
                      storageUri: file://%s
                %s""".formatted(name, namespace, fromZero ? "0" : "1", fromZero ? "0" : "1", Exec.path(model),
                extra.indent(indent)));
        awaitReady(name, namespace);
    }

    private void awaitReady(String isvc, String namespace) {
        await().atMost(WAIT).until(() -> "True".equals(kubectl.ok("get", "isvc", isvc, "-n", namespace, "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")));
    }

    /** A revision's replica's own /metrics, found through Tide's Prometheus service discovery. */
    private static String replicaMetrics(String revision) throws IOException {
        JsonNode targets = JSON.readTree(Exec.run(List.of("curl", "-sS", TIDE.url() + "/metrics/targets"), null, 30).out());
        String replica = null;
        for (JsonNode t : targets) {
            if (t.path("labels").path("revision_name").asText().equals(revision)) {
                replica = t.path("targets").get(0).asText();
            }
        }
        assertThat(replica).as("%s", targets).isNotNull();
        return Exec.run(List.of("curl", "-sS", "http://" + replica + "/metrics"), null, 30).out();
    }

    @Test
    void modelFromAnS3CompatibleServerWithCredentialsFromASecret() throws Exception {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar");
        assertThat(jar).as("the build copies S3Proxy (process-test-resources)").exists();
        Path store = Files.createDirectories(TIDE.dir().resolve("s3"));
        // S3Proxy's filesystem backend keeps bucket "models" as a directory: put the model there, fetch it over S3.
        OnnxModels.write(store.resolve("models").resolve("echo"),
                OnnxModels.node("Identity", List.of("x"), List.of("y"), OnnxModels.FLOAT, "N", "2"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path props = TIDE.dir().resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=tide-access",
                "s3proxy.credential=tide-secret-key",
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + store), StandardCharsets.UTF_8);
        Process s3 = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar", jar.toString(),
                "--properties", props.toString()).redirectErrorStream(true)
                .redirectOutput(TIDE.dir().resolve("s3proxy.log").toFile()).start();
        try {
            int p = port;
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                try (Socket ignored = new Socket("127.0.0.1", p)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
            java.util.function.UnaryOperator<String> b64 = s -> Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
            // KServe's way: the predictor's service account lists the Secret; the Secret's annotations say where.
            kubectl.apply("""
                    apiVersion: serving.kserve.io/v1beta1
                    kind: InferenceService
                    metadata:
                      name: echo
                      namespace: models
                    spec:
                      predictor:
                        serviceAccountName: models-reader
                        model:
                          modelFormat:
                            name: onnx
                          storageUri: s3://models/echo
                    ---
                    apiVersion: v1
                    kind: ServiceAccount
                    metadata:
                      name: models-reader
                      namespace: models
                    secrets:
                    - name: s3creds
                    ---
                    apiVersion: v1
                    kind: Secret
                    metadata:
                      name: s3creds
                      namespace: models
                      annotations:
                        serving.kserve.io/s3-endpoint: "127.0.0.1:%d"
                        serving.kserve.io/s3-usehttps: "0"
                        serving.kserve.io/s3-region: us-east-1
                    type: Opaque
                    data:
                      AWS_ACCESS_KEY_ID: %s
                      AWS_SECRET_ACCESS_KEY: %s
                    """.formatted(port, b64.apply("tide-access"), b64.apply("tide-secret-key")));
            await().atMost(WAIT).until(() -> "True".equals(kubectl.ok("get", "isvc", "echo", "-n", "models", "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")));
            JsonNode r = ok(curl("-H", "Host: echo.models.example.com", TIDE.ingress() + "/v2/models/echo/infer", "-d",
                    "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [2, 2], \"data\": [1, 2, 3, 4]}]}"));
            assertThat(r.path("outputs").get(0).path("data").toString()).isEqualTo("[1.0,2.0,3.0,4.0]");
            // Fetched once from S3 into the shared cache: one miss, counted by the model server.
            assertThat(replicaMetrics("echo-predictor-00001")).containsPattern("(?m)^tide_model_cache_misses_total 1(\\.0)?$");
            // The model went through the shared cache: it is listed, and in use by the replica.
            Exec.Result ls = Exec.run(Exec.tideCommand("cache", "ls", "--data-dir", TIDE.dir().resolve("data").toString()), null, 60);
            assertThat(ls.out()).contains("s3://models/echo").containsPattern("yes\\s+s3://models/echo");
        } finally {
            s3.destroy();
            s3.waitFor();
        }
    }

    static double cosine(JsonNode a, JsonNode b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.size(); i++) {
            double x = a.get(i).asDouble();
            double y = b.get(i).asDouble();
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return dot / Math.sqrt(na * nb);
    }
}
