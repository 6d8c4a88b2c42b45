package dev.tide.modelserver.grpc;

import dev.tide.modelserver.grpc.health.HealthCheckRequest;
import dev.tide.modelserver.grpc.health.HealthCheckResponse;
import dev.tide.modelserver.grpc.health.HealthGrpc;
import dev.tide.modelserver.grpc.v2.GRPCInferenceServiceGrpc;
import dev.tide.modelserver.protocol.ModelEndpoint;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * {@code grpc.health.v1.Health/Check}, for gRPC readiness probes: the same answer as {@code /v2/health/ready}, SERVING
 * once the model is loaded and warmed up. It knows the server as a whole (empty name), the inference service and the
 * model by name; any other name is NOT_FOUND, as gRPC's own health service answers.
 */
public final class HealthGrpcService extends HealthGrpc.HealthImplBase {

    private final ModelEndpoint endpoint;

    public HealthGrpcService(ModelEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
        String service = request.getService();
        if (!service.isEmpty() && !service.equals(GRPCInferenceServiceGrpc.SERVICE_NAME) && !service.equals(endpoint.name())) {
            out.onError(Status.NOT_FOUND.withDescription("unknown service " + service).asRuntimeException());
            return;
        }
        out.onNext(HealthCheckResponse.newBuilder().setStatus(endpoint.isReady()
                ? HealthCheckResponse.ServingStatus.SERVING : HealthCheckResponse.ServingStatus.NOT_SERVING).build());
        out.onCompleted();
    }
}
