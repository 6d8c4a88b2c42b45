package dev.tide.modelserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.modelserver.batch.BatchPolicy;
import dev.tide.modelserver.grpc.GrpcCalls;
import dev.tide.modelserver.http.ModelHttpServer;
import dev.tide.modelserver.protocol.ModelEndpoint;
import dev.tide.testing.onnx.OnnxModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Open Inference Protocol over real HTTP, on ONNX models written by the test and run by ONNX Runtime. */
class ModelServerProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static ModelFixtures models;
    private static ExecutorService codec;
    private static String identity;
    private static String add;
    private static String broadcast;
    private static String batched;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        models = new ModelFixtures(dir, JSON);
        codec = Executors.newFixedThreadPool(4);
        identity = serve("identity", OnnxModels.node("Identity", List.of("x"), List.of("y"), OnnxModels.FLOAT, "N", "3"), null, 4096);
        add = serve("add", OnnxModels.node("Add", List.of("a", "b"), List.of("sum"), OnnxModels.INT64, "N", "2"), null, 1 << 20);
        broadcast = serve("broadcast", OnnxModels.node("Add", List.of("a", "b"), List.of("sum"), OnnxModels.FLOAT, "N", "M"), null,
                1 << 20);
        batched = serve("batched", OnnxModels.node("Identity", List.of("x"), List.of("y"), OnnxModels.FLOAT, "N", "2"),
                new BatchPolicy(64, Duration.ofMillis(200)), 1 << 20);
    }

    /** Serves a model over HTTP; batching when a policy is given. Returns the base URL. */
    private static String serve(String name, byte[] onnx, BatchPolicy batch, int maxBody) throws Exception {
        ModelEndpoint endpoint = models.endpoint(name, onnx, batch);
        ModelHttpServer server = models.closeLater(new ModelHttpServer("127.0.0.1", 0, endpoint, calls(endpoint), codec, maxBody, 1));
        return "http://127.0.0.1:" + server.port();
    }

    private static GrpcCalls calls(ModelEndpoint endpoint) {
        return models.closeLater(GrpcCalls.forEndpoint(endpoint, codec, 1 << 20));
    }

    @AfterAll
    static void stop() throws Exception {
        models.close();
        codec.shutdown();
    }

    record Reply(int status, JsonNode body) {
        String error() {
            return body.path("error").asText();
        }
    }

    static Reply post(String url, String body) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
    }

    static Reply get(String url) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), JSON.readTree(r.body()));
    }

    @Test
    void healthAndMetadata() throws Exception {
        assertThat(get(identity + "/v2/health/live").body().path("live").asBoolean()).isTrue();
        assertThat(get(identity + "/v2/health/ready").status()).isEqualTo(200);
        assertThat(get(identity + "/v2/models/identity/ready").body().path("ready").asBoolean()).isTrue();
        JsonNode meta = get(identity + "/v2/models/identity").body();
        assertThat(meta.path("platform").asText()).isEqualTo("onnxruntime_onnx");
        assertThat(meta.path("inputs").get(0).toString()).isEqualTo("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,3]}");
        assertThat(get(identity + "/v1/models/identity").body().path("ready").asBoolean()).isTrue();
        Reply unknown = get(identity + "/v2/models/other");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).isEqualTo("Model with name other does not exist.");
    }

    @Test
    void v2InferAddsTwoInputsAndKeepsTheRequestId() throws Exception {
        Reply r = post(add + "/v2/models/add/infer", """
                {"id": "r-1", "inputs": [
                  {"name": "a", "datatype": "INT64", "shape": [2, 2], "data": [[1, 2], [3, 4]]},
                  {"name": "b", "datatype": "INT64", "shape": [2, 2], "data": [10, 20, 30, 9007199254740993]}]}""");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("id").asText()).isEqualTo("r-1");
        JsonNode out = r.body().path("outputs").get(0);
        assertThat(out.path("name").asText()).isEqualTo("sum");
        assertThat(out.path("shape").toString()).isEqualTo("[2,2]");
        assertThat(out.path("data").toString()).isEqualTo("[11,22,33,9007199254740997]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "FLOAT   | FP32  | [1.5,-2.25,3.0]             | [1.5,-2.25,3.0]",
        "DOUBLE  | FP64  | [1.0E-300,2.5,-3.0]         | [1.0E-300,2.5,-3.0]",
        "FLOAT16 | FP16  | [0.5,-2.0,65504.0]          | [0.5,-2.0,65504.0]",
        "INT8    | INT8  | [-128,0,127]                | [-128,0,127]",
        "UINT8   | UINT8 | [0,128,255]                 | [0,128,255]",
        "INT16   | INT16 | [-32768,1,32767]            | [-32768,1,32767]",
        "INT32   | INT32 | [-2147483648,0,2147483647]  | [-2147483648,0,2147483647]",
        "INT64   | INT64 | [-9223372036854775808,0,1]  | [-9223372036854775808,0,1]",
        "BOOL    | BOOL  | [true,false,true]           | [true,false,true]",
        "STRING  | BYTES | [\"a\",\"\",\"ünïcødé\"]    | [\"a\",\"\",\"ünïcødé\"]",
    })
    void everyDatatypeRoundTripsThroughOnnxRuntime(String onnxType, String datatype, String data, String expected) throws Exception {
        int elem = (int) OnnxModels.class.getField(onnxType).get(null);
        String url = serve("id-" + datatype, OnnxModels.node("Identity", List.of("x"), List.of("y"), elem, "N", "3"), null, 1 << 20);
        Reply r = post(url + "/v2/models/id-" + datatype + "/infer",
                "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"" + datatype + "\",\"shape\":[1,3],\"data\":" + data + "}]}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        assertThat(r.body().path("outputs").get(0).path("datatype").asText()).isEqualTo(datatype);
        assertThat(r.body().path("outputs").get(0).path("data").toString()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"inputs\":[{\"name\":\"z\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]}]}"
                + " | unknown input \"z\"; the model's inputs are [x]",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}"
                + " | input x: shape [1, 4] does not match the model's [-1, 3] at dimension 1",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[3],\"data\":[1,2,3]}]}"
                + " | input x: shape [3] has rank 1, the model expects rank 2 [-1, 3]",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT32\",\"shape\":[1,3],\"data\":[1,2,3]}]}"
                + " | input x: datatype INT32 does not match the model's FP32",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP33\",\"shape\":[1,3],\"data\":[1,2,3]}]}"
                + " | input x: datatype \"FP33\" is not one of [BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES]",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2]}]}"
                + " | input x: shape [1, 3] holds 3 elements but data has 2",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,\"two\",3]}]}"
                + " | input x: element 1 is \"two\", expected a number",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3]}]}"
                + " | input x: data is required",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,-3],\"data\":[1,2,3]}]}"
                + " | input x: shape[1] is -3, dimensions are non-negative integers",
        "{\"inputs\":[]}"
                + " | inputs: required, a non-empty array of tensors",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]}], \"outputs\":[{\"name\":\"q\"}]}"
                + " | unknown output \"q\"; the model's outputs are [y]",
        "[1, 2]"
                + " | malformed JSON: the body must be a JSON object",
    })
    void badInputIsA400NamingTheInputAndTheRule(String body, String message) throws Exception {
        Reply r = post(identity + "/v2/models/identity/infer", body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).isEqualTo(message);
    }

    /** A request in the binary tensor data extension: the JSON, then each binary input's bytes. */
    private static HttpResponse<byte[]> postBinary(String url, String json, byte[] binary, String headerLength) throws Exception {
        byte[] head = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = java.util.Arrays.copyOf(head, head.length + binary.length);
        System.arraycopy(binary, 0, body, head.length, binary.length);
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", headerLength == null ? Integer.toString(head.length) : headerLength).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] int64s(long... v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    @Test
    void theBinaryTensorDataExtensionInAndOutAsTritonsAndKServesClientsSendIt() throws Exception {
        byte[] a = int64s(1, 2, 3, 4);
        byte[] b = int64s(10, 20, 30, 40);
        byte[] both = java.util.Arrays.copyOf(a, 64);
        System.arraycopy(b, 0, both, 32, 32);
        String json = "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"INT64\",\"shape\":[2,2],\"parameters\":{\"binary_data_size\":32}},"
                + "{\"name\":\"b\",\"datatype\":\"INT64\",\"shape\":[2,2],\"parameters\":{\"binary_data_size\":32}}],"
                + "\"parameters\":{\"binary_data_output\":true}}";
        HttpResponse<byte[]> r = postBinary(add + "/v2/models/add/infer", json, both, null);
        assertThat(r.statusCode()).as(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(200);
        int headerLength = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        JsonNode header = JSON.readTree(java.util.Arrays.copyOf(r.body(), headerLength));
        assertThat(header.path("outputs").get(0).path("parameters").path("binary_data_size").asInt()).isEqualTo(32);
        assertThat(header.path("outputs").get(0).has("data")).isFalse();
        assertThat(java.util.Arrays.copyOfRange(r.body(), headerLength, r.body().length)).isEqualTo(int64s(11, 22, 33, 44));

        // Binary in, JSON out (the output asks for JSON); and JSON in, binary out for one output.
        String jsonOut = json.replace("\"parameters\":{\"binary_data_output\":true}",
                "\"outputs\":[{\"name\":\"sum\",\"parameters\":{\"binary_data\":false}}]");
        HttpResponse<byte[]> mixed = postBinary(add + "/v2/models/add/infer", jsonOut, both, null);
        assertThat(mixed.headers().firstValue("Inference-Header-Content-Length")).isEmpty();
        assertThat(JSON.readTree(mixed.body()).path("outputs").get(0).path("data").toString()).isEqualTo("[11,22,33,44]");
        HttpResponse<byte[]> jsonIn = postBinary(add + "/v2/models/add/infer", "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"INT64\","
                + "\"shape\":[1,2],\"data\":[1,2]},{\"name\":\"b\",\"datatype\":\"INT64\",\"shape\":[1,2],\"data\":[3,4]}],"
                + "\"outputs\":[{\"name\":\"sum\",\"parameters\":{\"binary_data\":true}}]}", new byte[0], null);
        int at = Integer.parseInt(jsonIn.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        assertThat(java.util.Arrays.copyOfRange(jsonIn.body(), at, jsonIn.body().length)).isEqualTo(int64s(4, 6));
    }

    @Test
    void binaryTensorDataThatDoesNotAddUpIsA400NamingTheInput() throws Exception {
        String json = "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"INT64\",\"shape\":[1,2],\"parameters\":{\"binary_data_size\":16}},"
                + "{\"name\":\"b\",\"datatype\":\"INT64\",\"shape\":[1,2],\"data\":[3,4]}]}";
        java.util.function.Function<HttpResponse<byte[]>, String> error = r -> {
            try {
                assertThat(r.statusCode()).isEqualTo(400);
                return JSON.readTree(r.body()).path("error").asText();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        assertThat(error.apply(postBinary(add + "/v2/models/add/infer", json, int64s(1), null)))
                .isEqualTo("input a: parameters.binary_data_size is 16 but only 8 bytes of binary data are left");
        assertThat(error.apply(postBinary(add + "/v2/models/add/infer", json, int64s(1, 2, 3), null)))
                .startsWith("8 bytes of binary data follow the inputs' binary_data_size");
        assertThat(error.apply(postBinary(add + "/v2/models/add/infer", json, int64s(1, 2), "x")))
                .isEqualTo("Inference-Header-Content-Length: x is not a number of bytes");
        assertThat(error.apply(postBinary(add + "/v2/models/add/infer", json, int64s(1, 2), "9999")))
                .startsWith("Inference-Header-Content-Length is 9999 but the body has ");
        Reply noHeader = post(add + "/v2/models/add/infer", json);
        assertThat(noHeader.error()).startsWith("input a: parameters.binary_data_size needs the Inference-Header-Content-Length header");
    }

    @Test
    void malformedJsonIntegerRangesAndMissingInputsAre400s() throws Exception {
        assertThat(post(identity + "/v2/models/identity/infer", "{\"inputs\": [").error()).startsWith("malformed JSON: Unexpected end-of-input");
        Reply range = post(add + "/v2/models/add/infer", """
                {"inputs": [{"name": "a", "datatype": "INT64", "shape": [1, 2], "data": [1, 2.5]},
                            {"name": "b", "datatype": "INT64", "shape": [1, 2], "data": [1, 2]}]}""");
        assertThat(range.error()).isEqualTo("input a: element 1 is 2.5, expected an integer");
        String int8 = serve("int8", OnnxModels.node("Identity", List.of("x"), List.of("y"), OnnxModels.INT8, "N"), null, 1 << 20);
        assertThat(post(int8 + "/v2/models/int8/infer", "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT8\",\"shape\":[1],\"data\":[300]}]}")
                .error()).isEqualTo("input x: element 0 (300) is out of range for INT8 [-128, 127]");
        Reply missing = post(add + "/v2/models/add/infer",
                "{\"inputs\": [{\"name\": \"a\", \"datatype\": \"INT64\", \"shape\": [1, 2], \"data\": [1, 2]}]}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error()).isEqualTo("input b is required (INT64 [-1, 2])");
        Reply batchMismatch = post(add + "/v2/models/add/infer", """
                {"inputs": [{"name": "a", "datatype": "INT64", "shape": [1, 2], "data": [1, 2]},
                            {"name": "b", "datatype": "INT64", "shape": [2, 2], "data": [1, 2, 3, 4]}]}""");
        assertThat(batchMismatch.error()).isEqualTo("input b: batch size 2 differs from input a's 1");
    }

    @Test
    void aBodyOverTheLimitIs413AndTheServerKeepsServing() throws Exception {
        StringBuilder big = new StringBuilder("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2000,3],\"data\":[");
        for (int i = 0; i < 6000; i++) {
            big.append(i == 0 ? "" : ",").append("1.0");
        }
        big.append("]}]}");
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(identity + "/v2/models/identity/infer"))
                .POST(HttpRequest.BodyPublishers.ofString(big.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(post(identity + "/v2/models/identity/infer",
                "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]}]}").status()).isEqualTo(200);
    }

    @Test
    void aFailingInferenceIs500WithTheRuntimesMessageAndOthersAreUnaffected() throws Exception {
        String bad = "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]},"
                + "{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}";
        String good = "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]},"
                + "{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[3,4]}]}";
        List<CompletableFuture<Reply>> replies = IntStream.range(0, 20).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
            try {
                return post(broadcast + "/v2/models/broadcast/infer", i % 2 == 0 ? bad : good);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).toList();
        for (int i = 0; i < replies.size(); i++) {
            Reply r = replies.get(i).join();
            if (i % 2 == 0) {
                assertThat(r.status()).isEqualTo(500);
                assertThat(r.error()).startsWith("inference failed: ").contains("ORT_");
            } else {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body().path("outputs").get(0).path("data").toString()).isEqualTo("[4.0,6.0]");
            }
        }
    }

    @Test
    void v1InstancesAndColumnarInputs() throws Exception {
        Reply rows = post(identity + "/v1/models/identity:predict", "{\"instances\": [[1, 2, 3], [4, 5, 6]]}");
        assertThat(rows.body().toString()).isEqualTo("{\"predictions\":[[1.0,2.0,3.0],[4.0,5.0,6.0]]}");
        Reply named = post(add + "/v1/models/add:predict", "{\"instances\": [{\"a\": [1, 2], \"b\": [3, 4]}, {\"a\": [5, 6], \"b\": [7, 8]}]}");
        assertThat(named.body().toString()).isEqualTo("{\"predictions\":[[4,6],[12,14]]}");
        Reply columnar = post(add + "/v1/models/add:predict", "{\"inputs\": {\"a\": [[1, 1]], \"b\": [[2, 2]]}}");
        assertThat(columnar.body().toString()).isEqualTo("{\"outputs\":[[3,3]]}");
        Reply ragged = post(identity + "/v1/models/identity:predict", "{\"instances\": [[1, 2, 3], [4, 5]]}");
        assertThat(ragged.status()).isEqualTo(400);
        assertThat(ragged.error()).isEqualTo("input x: nested arrays are ragged: expected 3 elements at depth 1, found 2");
        assertThat(post(identity + "/v1/models/identity:predict", "{\"rows\": []}").error())
                .isEqualTo("instances: required (or inputs, the columnar form)");
    }

    @Test
    void batchedRequestsOverHttpEachGetTheirOwnRows() throws Exception {
        int n = 16;
        List<CompletableFuture<Reply>> replies = IntStream.range(0, n).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
            try {
                return post(batched + "/v2/models/batched/infer",
                        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[" + i + "," + -i + "]}]}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Executors.newVirtualThreadPerTaskExecutor())).toList();
        for (int i = 0; i < n; i++) {
            JsonNode out = replies.get(i).join().body().path("outputs").get(0);
            assertThat(out.path("shape").toString()).isEqualTo("[1,2]");
            assertThat(out.path("data").toString()).isEqualTo("[" + (float) i + "," + (float) -i + "]");
        }
        // How requests are grouped is DynamicBatcherTest's; here: through HTTP, every request gets its own rows back.
    }

    @Test
    void aModelStillLoadingIsLiveButNotReady() throws Exception {
        ModelEndpoint loading = new ModelEndpoint("later", JSON);
        try (ModelHttpServer server = new ModelHttpServer("127.0.0.1", 0, loading, calls(loading), codec, 1 << 20, 1)) {
            String url = "http://127.0.0.1:" + server.port();
            assertThat(get(url + "/v2/health/live").status()).isEqualTo(200);
            assertThat(get(url + "/v2/health/ready").status()).isEqualTo(503);
            Reply r = post(url + "/v1/models/later:predict", "{\"instances\": [1]}");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.error()).isEqualTo("model later is not ready yet (loading)");
        }
    }
}
