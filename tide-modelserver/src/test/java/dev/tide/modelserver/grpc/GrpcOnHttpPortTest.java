package dev.tide.modelserver.grpc;

import dev.tide.modelserver.http.ModelHttpServer;
import dev.tide.modelserver.protocol.ModelEndpoint;

/**
 * The v2 gRPC service on the model server's HTTP port, as a replica serves it to Tide's ingress when its port is named
 * {@code h2c}: grpc-java's client speaks HTTP/2 with prior knowledge to the port that also answers HTTP/1.1.
 */
class GrpcOnHttpPortTest extends GrpcProtocolTest {

    @Override
    protected int serve(ModelEndpoint endpoint, int maxBodyBytes) throws Exception {
        GrpcCalls calls = models.closeLater(GrpcCalls.forEndpoint(endpoint, codec, maxBodyBytes));
        return models.closeLater(new ModelHttpServer("127.0.0.1", 0, endpoint, calls, codec, maxBodyBytes, 1)).port();
    }
}
