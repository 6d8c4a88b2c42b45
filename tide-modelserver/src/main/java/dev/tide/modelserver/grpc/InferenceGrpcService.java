package dev.tide.modelserver.grpc;

import dev.tide.modelserver.InferenceException;
import dev.tide.modelserver.grpc.v2.GRPCInferenceServiceGrpc;
import dev.tide.modelserver.grpc.v2.ModelInferRequest;
import dev.tide.modelserver.grpc.v2.ModelInferResponse;
import dev.tide.modelserver.grpc.v2.ModelMetadataRequest;
import dev.tide.modelserver.grpc.v2.ModelMetadataResponse;
import dev.tide.modelserver.grpc.v2.ModelReadyRequest;
import dev.tide.modelserver.grpc.v2.ModelReadyResponse;
import dev.tide.modelserver.grpc.v2.ServerLiveRequest;
import dev.tide.modelserver.grpc.v2.ServerLiveResponse;
import dev.tide.modelserver.grpc.v2.ServerMetadataRequest;
import dev.tide.modelserver.grpc.v2.ServerMetadataResponse;
import dev.tide.modelserver.grpc.v2.ServerReadyRequest;
import dev.tide.modelserver.grpc.v2.ServerReadyResponse;
import dev.tide.modelserver.model.Model;
import dev.tide.modelserver.protocol.ModelEndpoint;
import dev.tide.modelserver.tensor.Datatype;
import dev.tide.modelserver.tensor.Tensor;
import dev.tide.modelserver.tensor.TensorSpec;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * {@code inference.GRPCInferenceService} over the same endpoint as the REST protocol: same checks, same messages, same
 * engine (and so the same dynamic batching). HTTP statuses map to gRPC codes as KServe's servers map them: 400
 * INVALID_ARGUMENT, 404 NOT_FOUND, 503 UNAVAILABLE, anything else INTERNAL.
 */
public final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    private final ModelEndpoint endpoint;

    public InferenceGrpcService(ModelEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        reply(out, ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        reply(out, ServerReadyResponse.newBuilder().setReady(endpoint.isReady()).build());
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        try {
            endpoint.checkName(request.getName());
            reply(out, ModelReadyResponse.newBuilder().setReady(endpoint.isReady()).build());
        } catch (RuntimeException e) {
            fail(out, e);
        }
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
        reply(out, ServerMetadataResponse.newBuilder().setName(ModelEndpoint.SERVER).setVersion("2").build());
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        try {
            Model m = endpoint.model(request.getName());
            ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(endpoint.name()).addVersions("1")
                    .setPlatform(m.platform());
            m.inputs().forEach(s -> b.addInputs(metadata(s)));
            m.outputs().forEach(s -> b.addOutputs(metadata(s)));
            reply(out, b.build());
        } catch (RuntimeException e) {
            fail(out, e);
        }
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        try {
            Model m = endpoint.model(request.getModelName());
            boolean raw = request.getRawInputContentsCount() > 0;
            if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
                throw InferenceException.badRequest("raw_input_contents has " + request.getRawInputContentsCount()
                        + " entries for " + request.getInputsCount() + " inputs; give one per input, in order");
            }
            if (request.getInputsCount() == 0) {
                throw InferenceException.badRequest("inputs: required, a non-empty list of tensors");
            }
            Map<String, Tensor> byName = new LinkedHashMap<>();
            for (int i = 0; i < request.getInputsCount(); i++) {
                ModelInferRequest.InferInputTensor in = request.getInputs(i);
                String name = in.getName();
                if (name.isEmpty()) {
                    throw InferenceException.badRequest("inputs[" + i + "].name: required");
                }
                TensorSpec spec = ModelEndpoint.inputSpec(m, name, byName.keySet());
                Datatype dt = ModelEndpoint.datatype(name, in.getDatatype());
                long[] shape = new long[in.getShapeCount()];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.getShape(d);
                    if (shape[d] < 0) {
                        throw InferenceException.badRequest("input " + name + ": shape[" + d + "] is " + shape[d]
                                + ", dimensions are non-negative integers");
                    }
                }
                if (raw && in.hasContents()) {
                    throw InferenceException.badRequest("input " + name + ": contents must be empty when "
                            + "raw_input_contents carries the tensors");
                }
                Tensor t = raw
                        ? GrpcTensors.fromRaw(name, dt, shape, request.getRawInputContents(i), "input " + name)
                        : GrpcTensors.fromContents(name, dt, shape, in.getContents(), "input " + name);
                spec.check(t);
                byName.put(name, t);
            }
            List<String> wanted = new ArrayList<>();
            request.getOutputsList().forEach(o -> wanted.add(o.getName()));
            endpoint.infer(m, byName, wanted).whenComplete((outs, err) -> {
                if (err != null) {
                    fail(out, err);
                } else {
                    reply(out, response(request, outs, raw || outs.stream().anyMatch(t -> GrpcTensors.rawOnly(t.datatype()))));
                }
            });
        } catch (RuntimeException e) {
            fail(out, e);
        }
    }

    private ModelInferResponse response(ModelInferRequest request, List<Tensor> outs, boolean raw) {
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(endpoint.name()).setModelVersion("1")
                .setId(request.getId());
        for (Tensor t : outs) {
            ModelInferResponse.InferOutputTensor.Builder o = ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName(t.name()).setDatatype(t.datatype().name());
            for (long d : t.shape()) {
                o.addShape(d);
            }
            if (raw) {
                b.addRawOutputContents(GrpcTensors.toRaw(t));
            } else {
                o.setContents(GrpcTensors.toContents(t));
            }
            b.addOutputs(o);
        }
        return b.build();
    }

    private static ModelMetadataResponse.TensorMetadata metadata(TensorSpec s) {
        ModelMetadataResponse.TensorMetadata.Builder b = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(s.name()).setDatatype(s.datatype().name());
        for (long d : s.shape()) {
            b.addShape(d);
        }
        return b.build();
    }

    private static <T> void reply(StreamObserver<T> out, T value) {
        out.onNext(value);
        out.onCompleted();
    }

    private static void fail(StreamObserver<?> out, Throwable t) {
        Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        Status status;
        if (e instanceof InferenceException ie) {
            status = switch (ie.status()) {
                case 400 -> Status.INVALID_ARGUMENT;
                case 404 -> Status.NOT_FOUND;
                case 413 -> Status.RESOURCE_EXHAUSTED;
                case 503 -> Status.UNAVAILABLE;
                default -> Status.INTERNAL;
            };
            status = status.withDescription(ie.getMessage());
        } else {
            status = Status.INTERNAL.withDescription("inference failed: " + e);
        }
        out.onError(status.asRuntimeException());
    }
}
