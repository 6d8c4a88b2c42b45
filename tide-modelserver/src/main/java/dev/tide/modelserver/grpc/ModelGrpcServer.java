package dev.tide.modelserver.grpc;

import dev.tide.modelserver.protocol.ModelEndpoint;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The v2 gRPC service on its own port (KServe's model servers listen for gRPC beside HTTP the same way). Calls run on
 * the given executor, off gRPC's event loop, because decoding a large tensor takes a while.
 */
public final class ModelGrpcServer implements AutoCloseable {

    private final Server server;

    /**
     * @param port         0 picks a free one
     * @param maxBodyBytes the largest request message; larger ones fail with RESOURCE_EXHAUSTED, as REST answers 413
     */
    public ModelGrpcServer(String host, int port, ModelEndpoint endpoint, Executor executor, int maxBodyBytes) throws IOException {
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .executor(executor)
                .maxInboundMessageSize(maxBodyBytes)
                .addService(new InferenceGrpcService(endpoint))
                .addService(new HealthGrpcService(endpoint))
                .build()
                .start();
    }

    public int port() {
        return server.getPort();
    }

    /** Stops taking new calls; those in flight go on. */
    public void stopAccepting() {
        server.shutdown();
    }

    /**
     * Waits for the calls in flight after {@link #stopAccepting()}, up to the timeout, then cancels what is left.
     *
     * @return whether every call finished in time
     */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        boolean done = server.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            server.shutdownNow();
        }
        return done;
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
