package dev.tide.modelserver.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.tide.modelserver.ModelFixtures;
import dev.tide.modelserver.batch.BatchPolicy;
import dev.tide.modelserver.grpc.health.HealthCheckRequest;
import dev.tide.modelserver.grpc.health.HealthCheckResponse;
import dev.tide.modelserver.grpc.health.HealthGrpc;
import dev.tide.modelserver.grpc.v2.GRPCInferenceServiceGrpc;
import dev.tide.modelserver.grpc.v2.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.tide.modelserver.grpc.v2.InferTensorContents;
import dev.tide.modelserver.grpc.v2.ModelInferRequest;
import dev.tide.modelserver.grpc.v2.ModelInferRequest.InferInputTensor;
import dev.tide.modelserver.grpc.v2.ModelInferResponse;
import dev.tide.modelserver.grpc.v2.ModelMetadataRequest;
import dev.tide.modelserver.grpc.v2.ModelMetadataResponse;
import dev.tide.modelserver.grpc.v2.ModelReadyRequest;
import dev.tide.modelserver.grpc.v2.ServerLiveRequest;
import dev.tide.modelserver.grpc.v2.ServerMetadataRequest;
import dev.tide.modelserver.grpc.v2.ServerReadyRequest;
import dev.tide.modelserver.protocol.ModelEndpoint;
import dev.tide.testing.onnx.OnnxModels;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v2 gRPC service over a real port, called with grpc-java's generated client: the same models and the same error
 * cases as the REST protocol test, in both the typed and the raw tensor forms. Run on each port that serves it: the
 * separate {@code --grpc_port} and the HTTP port's h2c streams.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GrpcProtocolTest {

    private final List<ManagedChannel> channels = new ArrayList<>();
    /** Closed after the class's tests. */
    protected ModelFixtures models;
    protected ExecutorService codec;
    private GRPCInferenceServiceBlockingStub identity;
    private GRPCInferenceServiceBlockingStub add;
    private GRPCInferenceServiceBlockingStub broadcast;
    private GRPCInferenceServiceBlockingStub batched;

    @TempDir
    static Path dir;

    @BeforeAll
    void start() throws Exception {
        models = new ModelFixtures(dir, new ObjectMapper());
        codec = Executors.newFixedThreadPool(4);
        identity = serve("identity", OnnxModels.node("Identity", List.of("x"), List.of("y"), OnnxModels.FLOAT, "N", "3"), null);
        add = serve("add", OnnxModels.node("Add", List.of("a", "b"), List.of("sum"), OnnxModels.INT64, "N", "2"), null);
        broadcast = serve("broadcast", OnnxModels.node("Add", List.of("a", "b"), List.of("sum"), OnnxModels.FLOAT, "N", "M"), null);
        batched = serve("batched", OnnxModels.node("Identity", List.of("x"), List.of("y"), OnnxModels.FLOAT, "N", "2"),
                new BatchPolicy(64, Duration.ofMillis(200)));
    }

    private GRPCInferenceServiceBlockingStub serve(String name, byte[] onnx, BatchPolicy batch) throws Exception {
        return stub(models.endpoint(name, onnx, batch));
    }

    /** Serves the endpoint with a 4 KiB message limit; returns the port its gRPC service is on. */
    protected abstract int serve(ModelEndpoint endpoint, int maxBodyBytes) throws Exception;

    /** A client for the endpoint, served with a 4 KiB message limit. */
    private GRPCInferenceServiceBlockingStub stub(ModelEndpoint endpoint) throws Exception {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", serve(endpoint, 4096), InsecureChannelCredentials.create())
                .build();
        channels.add(channel);
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() throws Exception {
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
        models.close();
        codec.shutdown();
    }

    private static InferInputTensor.Builder input(String name, String datatype, long... shape) {
        InferInputTensor.Builder b = InferInputTensor.newBuilder().setName(name).setDatatype(datatype);
        for (long d : shape) {
            b.addShape(d);
        }
        return b;
    }

    private static InferTensorContents fp32(float... v) {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        for (float f : v) {
            c.addFp32Contents(f);
        }
        return c.build();
    }

    private static ModelInferRequest identityRequest(UnaryOperator<InferInputTensor.Builder> edit) {
        return ModelInferRequest.newBuilder().setModelName("identity")
                .addInputs(edit.apply(input("x", "FP32", 1, 3).setContents(fp32(1, 2, 3)))).build();
    }

    private static StatusRuntimeException failure(Runnable call) {
        return catchThrowableOfType(StatusRuntimeException.class, call::run);
    }

    @Test
    void healthAndMetadata() throws Exception {
        assertThat(identity.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(identity.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        assertThat(identity.modelReady(ModelReadyRequest.newBuilder().setName("identity").build()).getReady()).isTrue();
        assertThat(identity.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName()).isEqualTo("tide-modelserver");
        ModelMetadataResponse meta = identity.modelMetadata(ModelMetadataRequest.newBuilder().setName("identity").build());
        assertThat(meta.getPlatform()).isEqualTo("onnxruntime_onnx");
        assertThat(meta.getInputs(0).getName()).isEqualTo("x");
        assertThat(meta.getInputs(0).getDatatype()).isEqualTo("FP32");
        assertThat(meta.getInputs(0).getShapeList()).containsExactly(-1L, 3L);
        assertThat(meta.getOutputs(0).getName()).isEqualTo("y");
        StatusRuntimeException unknown = failure(() -> identity.modelMetadata(ModelMetadataRequest.newBuilder().setName("other").build()));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(unknown.getStatus().getDescription()).isEqualTo("Model with name other does not exist.");
        assertThat(failure(() -> identity.modelReady(ModelReadyRequest.newBuilder().setName("other").build())).getStatus().getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void typedContentsAddTwoInputsAndKeepTheRequestId() {
        ModelInferResponse r = add.modelInfer(ModelInferRequest.newBuilder().setModelName("add").setId("r-1")
                .addInputs(input("a", "INT64", 2, 2).setContents(InferTensorContents.newBuilder().addAllInt64Contents(List.of(1L, 2L, 3L, 4L))))
                .addInputs(input("b", "INT64", 2, 2).setContents(InferTensorContents.newBuilder()
                        .addAllInt64Contents(List.of(10L, 20L, 30L, 9007199254740993L))))
                .build());
        assertThat(r.getId()).isEqualTo("r-1");
        assertThat(r.getModelName()).isEqualTo("add");
        assertThat(r.getOutputs(0).getName()).isEqualTo("sum");
        assertThat(r.getOutputs(0).getShapeList()).containsExactly(2L, 2L);
        assertThat(r.getOutputs(0).getContents().getInt64ContentsList()).containsExactly(11L, 22L, 33L, 9007199254740997L);
        assertThat(r.getRawOutputContentsCount()).isZero();
    }

    @Test
    void everyTypedDatatypeRoundTripsThroughOnnxRuntime() throws Exception {
        record Case(int onnxType, String datatype, InferTensorContents contents) {
        }
        List<Case> cases = List.of(
                new Case(OnnxModels.FLOAT, "FP32", fp32(1.5f, -2.25f, 3f)),
                new Case(OnnxModels.DOUBLE, "FP64", InferTensorContents.newBuilder().addAllFp64Contents(List.of(1e-300, 2.5, -3.0)).build()),
                new Case(OnnxModels.INT8, "INT8", InferTensorContents.newBuilder().addAllIntContents(List.of(-128, 0, 127)).build()),
                new Case(OnnxModels.UINT8, "UINT8", InferTensorContents.newBuilder().addAllUintContents(List.of(0, 128, 255)).build()),
                new Case(OnnxModels.INT16, "INT16", InferTensorContents.newBuilder().addAllIntContents(List.of(-32768, 1, 32767)).build()),
                new Case(OnnxModels.INT32, "INT32", InferTensorContents.newBuilder()
                        .addAllIntContents(List.of(Integer.MIN_VALUE, 0, Integer.MAX_VALUE)).build()),
                new Case(OnnxModels.INT64, "INT64", InferTensorContents.newBuilder().addAllInt64Contents(List.of(Long.MIN_VALUE, 0L, 1L)).build()),
                new Case(OnnxModels.BOOL, "BOOL", InferTensorContents.newBuilder().addAllBoolContents(List.of(true, false, true)).build()),
                new Case(OnnxModels.STRING, "BYTES", InferTensorContents.newBuilder().addBytesContents(ByteString.copyFromUtf8("a"))
                        .addBytesContents(ByteString.EMPTY).addBytesContents(ByteString.copyFromUtf8("ünïcødé")).build()));
        for (Case c : cases) {
            String name = "typed-" + c.datatype();
            GRPCInferenceServiceBlockingStub stub = serve(name, OnnxModels.node("Identity", List.of("x"), List.of("y"), c.onnxType(),
                    "N", "3"), null);
            ModelInferResponse r = stub.modelInfer(ModelInferRequest.newBuilder().setModelName(name)
                    .addInputs(input("x", c.datatype(), 1, 3).setContents(c.contents())).build());
            assertThat(r.getOutputs(0).getDatatype()).as(c.datatype()).isEqualTo(c.datatype());
            assertThat(r.getOutputs(0).getContents()).as(c.datatype()).isEqualTo(c.contents());
        }
    }

    @Test
    void rawContentsInRawContentsOut() throws Exception {
        ByteBuffer floats = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(4f);
        ModelInferResponse r = identity.modelInfer(ModelInferRequest.newBuilder().setModelName("identity")
                .addInputs(input("x", "FP32", 1, 3)).addRawInputContents(ByteString.copyFrom(floats.array())).build());
        assertThat(r.getOutputs(0).hasContents()).isFalse();
        assertThat(r.getRawOutputContents(0).toByteArray()).isEqualTo(floats.array());

        // FP16 has no typed field: it travels raw both ways (0x3800 = 0.5, 0xC000 = -2.0, 0x7BFF = 65504).
        GRPCInferenceServiceBlockingStub fp16 = serve("raw-fp16", OnnxModels.node("Identity", List.of("x"), List.of("y"),
                OnnxModels.FLOAT16, "N", "3"), null);
        byte[] halves = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3800).putShort((short) 0xC000)
                .putShort((short) 0x7BFF).array();
        ModelInferResponse h = fp16.modelInfer(ModelInferRequest.newBuilder().setModelName("raw-fp16")
                .addInputs(input("x", "FP16", 1, 3)).addRawInputContents(ByteString.copyFrom(halves)).build());
        assertThat(h.getRawOutputContents(0).toByteArray()).isEqualTo(halves);

        // BYTES raw: each element a 4-byte little-endian length, then its bytes.
        GRPCInferenceServiceBlockingStub strings = serve("raw-bytes", OnnxModels.node("Identity", List.of("x"), List.of("y"),
                OnnxModels.STRING, "N"), null);
        byte[] hi = "hé".getBytes(StandardCharsets.UTF_8);
        ByteBuffer two = ByteBuffer.allocate(4 + hi.length + 4).order(ByteOrder.LITTLE_ENDIAN).putInt(hi.length).put(hi).putInt(0);
        ModelInferResponse s = strings.modelInfer(ModelInferRequest.newBuilder().setModelName("raw-bytes")
                .addInputs(input("x", "BYTES", 2)).addRawInputContents(ByteString.copyFrom(two.array())).build());
        assertThat(s.getRawOutputContents(0).toByteArray()).isEqualTo(two.array());
    }

    @Test
    void badInputIsInvalidArgumentNamingTheInputAndTheRule() {
        record Case(ModelInferRequest request, String message) {
        }
        ModelInferRequest.Builder raw = ModelInferRequest.newBuilder().setModelName("identity");
        List<Case> cases = List.of(
                new Case(identityRequest(b -> b.setName("z")), "unknown input \"z\"; the model's inputs are [x]"),
                new Case(identityRequest(b -> b.clearShape().addAllShape(List.of(1L, 4L)).setContents(fp32(1, 2, 3, 4))),
                        "input x: shape [1, 4] does not match the model's [-1, 3] at dimension 1"),
                new Case(identityRequest(b -> b.clearShape().addShape(3)), "input x: shape [3] has rank 1, the model expects rank 2 [-1, 3]"),
                new Case(identityRequest(b -> b.setDatatype("INT32").setContents(InferTensorContents.newBuilder()
                        .addAllIntContents(List.of(1, 2, 3)))), "input x: datatype INT32 does not match the model's FP32"),
                new Case(identityRequest(b -> b.setDatatype("FP33")), "input x: datatype \"FP33\" is not one of [BOOL, UINT8, UINT16, "
                        + "UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES]"),
                new Case(identityRequest(b -> b.setDatatype("")), "input x: datatype is required"),
                new Case(identityRequest(b -> b.setContents(fp32(1, 2))),
                        "input x: shape [1, 3] holds 3 elements but contents.fp32_contents has 2"),
                new Case(identityRequest(b -> b.setContents(InferTensorContents.newBuilder().addAllFp64Contents(List.of(1.0, 2.0, 3.0)))),
                        "input x: shape [1, 3] holds 3 elements but contents.fp32_contents has 0"),
                new Case(identityRequest(b -> b.clearShape().addAllShape(List.of(1L, -3L))),
                        "input x: shape[1] is -3, dimensions are non-negative integers"),
                new Case(ModelInferRequest.newBuilder().setModelName("identity").build(), "inputs: required, a non-empty list of tensors"),
                new Case(identityRequest(b -> b).toBuilder().addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                        .setName("q")).build(), "unknown output \"q\"; the model's outputs are [y]"),
                new Case(identityRequest(b -> b).toBuilder().addInputs(input("x", "FP32", 1, 3).setContents(fp32(1, 2, 3))).build(),
                        "input x is given twice"),
                new Case(raw.clone().addInputs(input("x", "FP32", 1, 3)).addRawInputContents(ByteString.copyFrom(new byte[8])).build(),
                        "input x: shape [1, 3] of FP32 takes 12 bytes but the raw contents hold 8"),
                new Case(raw.clone().addInputs(input("x", "FP32", 1, 3)).addRawInputContents(ByteString.copyFrom(new byte[12]))
                        .addRawInputContents(ByteString.EMPTY).build(),
                        "raw_input_contents has 2 entries for 1 inputs; give one per input, in order"),
                new Case(raw.clone().addInputs(input("x", "FP32", 1, 3).setContents(fp32(1, 2, 3)))
                        .addRawInputContents(ByteString.copyFrom(new byte[12])).build(),
                        "input x: contents must be empty when raw_input_contents carries the tensors"));
        for (Case c : cases) {
            StatusRuntimeException e = failure(() -> identity.modelInfer(c.request()));
            assertThat(e).as(c.message()).isNotNull();
            assertThat(e.getStatus().getCode()).as(c.message()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).isEqualTo(c.message());
        }
    }

    @Test
    void rangesAndRawBytesFramingAreChecked() throws Exception {
        GRPCInferenceServiceBlockingStub int8 = serve("int8", OnnxModels.node("Identity", List.of("x"), List.of("y"), OnnxModels.INT8, "N"), null);
        StatusRuntimeException range = failure(() -> int8.modelInfer(ModelInferRequest.newBuilder().setModelName("int8")
                .addInputs(input("x", "INT8", 1).setContents(InferTensorContents.newBuilder().addIntContents(300))).build()));
        assertThat(range.getStatus().getDescription()).isEqualTo("input x: element 0 (300) is out of range for INT8 [-128, 127]");
        GRPCInferenceServiceBlockingStub strings = serve("framing", OnnxModels.node("Identity", List.of("x"), List.of("y"),
                OnnxModels.STRING, "N"), null);
        byte[] torn = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(9).put((byte) 'a').put((byte) 'b').array();
        StatusRuntimeException framing = failure(() -> strings.modelInfer(ModelInferRequest.newBuilder().setModelName("framing")
                .addInputs(input("x", "BYTES", 1)).addRawInputContents(ByteString.copyFrom(torn)).build()));
        assertThat(framing.getStatus().getDescription()).isEqualTo("input x: raw BYTES element 0 declares 9 bytes but 2 remain");
        StatusRuntimeException fp16 = failure(() -> strings.modelInfer(ModelInferRequest.newBuilder().setModelName("framing")
                .addInputs(input("x", "FP16", 1)).build()));
        assertThat(fp16.getStatus().getDescription()).isEqualTo("input x: FP16 has no typed contents field; send it in raw_input_contents");
    }

    @Test
    void aMessageOverTheLimitIsResourceExhaustedAndTheServerKeepsServing() {
        ModelInferRequest big = identityRequest(b -> b.clearShape().addAllShape(List.of(2000L, 3L)).setContents(fp32(new float[6000])));
        assertThat(failure(() -> identity.modelInfer(big)).getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(identity.modelInfer(identityRequest(b -> b)).getOutputs(0).getContents()).isEqualTo(fp32(1, 2, 3));
    }

    @Test
    void aFailingInferenceIsInternalWithTheRuntimesMessageAndOthersAreUnaffected() {
        ModelInferRequest bad = ModelInferRequest.newBuilder().setModelName("broadcast")
                .addInputs(input("a", "FP32", 1, 3).setContents(fp32(1, 2, 3))).addInputs(input("b", "FP32", 1, 2).setContents(fp32(1, 2)))
                .build();
        ModelInferRequest good = ModelInferRequest.newBuilder().setModelName("broadcast")
                .addInputs(input("a", "FP32", 1, 2).setContents(fp32(1, 2))).addInputs(input("b", "FP32", 1, 2).setContents(fp32(3, 4)))
                .build();
        List<CompletableFuture<Object>> replies = IntStream.range(0, 20).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
            try {
                return (Object) broadcast.modelInfer(i % 2 == 0 ? bad : good);
            } catch (StatusRuntimeException e) {
                return e;
            }
        })).toList();
        for (int i = 0; i < replies.size(); i++) {
            Object r = replies.get(i).join();
            if (i % 2 == 0) {
                StatusRuntimeException e = (StatusRuntimeException) r;
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
                assertThat(e.getStatus().getDescription()).startsWith("inference failed: ").contains("ORT_");
            } else {
                assertThat(((ModelInferResponse) r).getOutputs(0).getContents()).isEqualTo(fp32(4, 6));
            }
        }
    }

    @Test
    void batchedCallsEachGetTheirOwnRows() {
        int n = 16;
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<ModelInferResponse>> replies = IntStream.range(0, n).mapToObj(i -> CompletableFuture.supplyAsync(
                    () -> batched.modelInfer(ModelInferRequest.newBuilder().setModelName("batched")
                            .addInputs(input("x", "FP32", 1, 2).setContents(fp32(i, -i))).build()), callers)).toList();
            for (int i = 0; i < n; i++) {
                ModelInferResponse r = replies.get(i).join();
                assertThat(r.getOutputs(0).getShapeList()).containsExactly(1L, 2L);
                assertThat(r.getOutputs(0).getContents()).isEqualTo(fp32(i, -i));
            }
        }
    }

    @Test
    void aModelStillLoadingIsLiveButUnavailable() throws Exception {
        GRPCInferenceServiceBlockingStub loading = stub(new ModelEndpoint("later", new ObjectMapper()));
        assertThat(loading.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(loading.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isFalse();
        assertThat(loading.modelReady(ModelReadyRequest.newBuilder().setName("later").build()).getReady()).isFalse();
        StatusRuntimeException e = failure(() -> loading.modelInfer(ModelInferRequest.newBuilder().setModelName("later")
                .addInputs(input("x", "FP32", 1).setContents(fp32(1))).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e.getStatus().getDescription()).isEqualTo("model later is not ready yet (loading)");
    }

    @Test
    void theHealthServiceIsServingOnlyOnceTheModelIsReady() throws Exception {
        ModelEndpoint endpoint = models.endpoint("healthy", OnnxModels.node("Identity", List.of("x"), List.of("y"), OnnxModels.FLOAT,
                "N", "3"), null);
        ManagedChannel ready = Grpc.newChannelBuilderForAddress("127.0.0.1", serve(endpoint, 4096), InsecureChannelCredentials.create())
                .build();
        ManagedChannel later = Grpc.newChannelBuilderForAddress("127.0.0.1", serve(new ModelEndpoint("later", new ObjectMapper()), 4096),
                InsecureChannelCredentials.create()).build();
        channels.add(ready);
        channels.add(later);
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(ready).withDeadlineAfter(30, TimeUnit.SECONDS);
        for (String service : List.of("", "inference.GRPCInferenceService", "healthy")) {
            assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
                    .as("'%s'", service).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        }
        assertThat(HealthGrpc.newBlockingStub(later).withDeadlineAfter(30, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
        StatusRuntimeException e = failure(() -> health.check(HealthCheckRequest.newBuilder().setService("nope").build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    }
}
