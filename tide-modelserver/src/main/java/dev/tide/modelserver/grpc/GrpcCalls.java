package dev.tide.modelserver.grpc;

import dev.tide.modelserver.protocol.ModelEndpoint;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The v2 gRPC service for calls that arrive on the model server's HTTP port, as bytes: the port's HTTP/2 streams hand
 * each call's messages in as they were framed, and get the service's answers back the same way. The service itself
 * runs as grpc-java runs it (status, deadlines, cancellation), behind an in-process server, so the HTTP port and the
 * separate {@code --grpc_port} serve one service with one behaviour.
 */
public final class GrpcCalls implements AutoCloseable {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final Server server;
    private final ManagedChannel channel;
    /** Full method name (package.Service/Method) to a descriptor that carries its messages as bytes. */
    private final Map<String, MethodDescriptor<byte[], byte[]>> methods = new HashMap<>();

    /**
     * @param executor     where calls run, off the event loops: decoding a large tensor takes a while
     * @param maxBodyBytes the largest request message, as on the separate gRPC port
     */
    public GrpcCalls(List<ServerServiceDefinition> services, Executor executor, int maxBodyBytes) {
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name).executor(executor).maxInboundMessageSize(maxBodyBytes);
        services.forEach(builder::addService);
        try {
            this.server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-process server binds no socket
        }
        // Answers are handed straight to the HTTP/2 stream, which moves them to its event loop itself.
        this.channel = InProcessChannelBuilder.forName(name).directExecutor().maxInboundMessageSize(Integer.MAX_VALUE).build();
        for (ServerServiceDefinition service : services) {
            for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
                MethodDescriptor<?, ?> d = m.getMethodDescriptor();
                methods.put(d.getFullMethodName(), MethodDescriptor.<byte[], byte[]>newBuilder()
                        .setType(d.getType()).setFullMethodName(d.getFullMethodName())
                        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build());
            }
        }
    }

    /** The model server's gRPC services, inference and health, over {@code endpoint}. */
    public static GrpcCalls forEndpoint(ModelEndpoint endpoint, Executor executor, int maxBodyBytes) {
        return new GrpcCalls(List.of(new InferenceGrpcService(endpoint).bindService(), new HealthGrpcService(endpoint).bindService()),
                executor, maxBodyBytes);
    }

    /** The method of that full name, or {@code null} if the service has none. */
    public MethodDescriptor<byte[], byte[]> method(String fullName) {
        return methods.get(fullName);
    }

    public ClientCall<byte[], byte[]> newCall(MethodDescriptor<byte[], byte[]> method, CallOptions options) {
        return channel.newCall(method, options);
    }

    /** Lets the calls in flight finish within {@code grace}, then cancels the rest. */
    public boolean shutdownGracefully(Duration grace) throws InterruptedException {
        server.shutdown();
        boolean done = server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        channel.shutdownNow();
        server.shutdownNow();
        return done;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
    }
}
