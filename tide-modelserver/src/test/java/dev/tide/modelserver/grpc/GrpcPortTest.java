package dev.tide.modelserver.grpc;

import dev.tide.modelserver.protocol.ModelEndpoint;

/** The v2 gRPC service on its own port, {@code --grpc_port}. */
class GrpcPortTest extends GrpcProtocolTest {

    @Override
    protected int serve(ModelEndpoint endpoint, int maxBodyBytes) throws Exception {
        return models.closeLater(new ModelGrpcServer("127.0.0.1", 0, endpoint, codec, maxBodyBytes)).port();
    }
}
