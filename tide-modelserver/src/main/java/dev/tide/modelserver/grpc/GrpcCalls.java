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
import java.util.function.Supplier;

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

    private final Supplier<List<ServerServiceDefinition>> services;
    private final Executor executor;
    private final int maxBodyBytes;
    /** The in-process server, started by the first call: grpc-java's classes stay off the model server's start. */
    private volatile Started started;

    private record Started(Server server, ManagedChannel channel, Map<String, MethodDescriptor<byte[], byte[]>> methods) {
    }

    /**
     * @param services     the services, made when the first call comes
     * @param executor     where calls run, off the event loops: decoding a large tensor takes a while
     * @param maxBodyBytes the largest request message, as on the separate gRPC port
     */
    public GrpcCalls(Supplier<List<ServerServiceDefinition>> services, Executor executor, int maxBodyBytes) {
        this.services = services;
        this.executor = executor;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The model server's gRPC services, inference and health, over {@code endpoint}. */
    public static GrpcCalls forEndpoint(ModelEndpoint endpoint, Executor executor, int maxBodyBytes) {
        return new GrpcCalls(() -> List.of(new InferenceGrpcService(endpoint).bindService(),
                new HealthGrpcService(endpoint).bindService()), executor, maxBodyBytes);
    }

    private Started started() {
        Started s = started;
        if (s == null) {
            synchronized (this) {
                s = started;
                if (s == null) {
                    s = start();
                    started = s;
                }
            }
        }
        return s;
    }

    private Started start() {
        List<ServerServiceDefinition> defs = services.get();
        String name = InProcessServerBuilder.generateName();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name).executor(executor).maxInboundMessageSize(maxBodyBytes);
        defs.forEach(builder::addService);
        Server server;
        try {
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-process server binds no socket
        }
        // Answers are handed straight to the HTTP/2 stream, which moves them to its event loop itself.
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().maxInboundMessageSize(Integer.MAX_VALUE).build();
        Map<String, MethodDescriptor<byte[], byte[]>> methods = new HashMap<>();
        for (ServerServiceDefinition service : defs) {
            for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
                MethodDescriptor<?, ?> d = m.getMethodDescriptor();
                methods.put(d.getFullMethodName(), MethodDescriptor.<byte[], byte[]>newBuilder()
                        .setType(d.getType()).setFullMethodName(d.getFullMethodName())
                        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build());
            }
        }
        return new Started(server, channel, Map.copyOf(methods));
    }

    /** The method of that full name, or {@code null} if the service has none. */
    public MethodDescriptor<byte[], byte[]> method(String fullName) {
        return started().methods().get(fullName);
    }

    public ClientCall<byte[], byte[]> newCall(MethodDescriptor<byte[], byte[]> method, CallOptions options) {
        return started().channel().newCall(method, options);
    }

    /** Lets the calls in flight finish within {@code grace}, then cancels the rest. */
    public boolean shutdownGracefully(Duration grace) throws InterruptedException {
        Started s = started;
        if (s == null) {
            return true;
        }
        s.server().shutdown();
        boolean done = s.server().awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        s.channel().shutdownNow();
        s.server().shutdownNow();
        return done;
    }

    @Override
    public void close() {
        Started s = started;
        if (s != null) {
            s.channel().shutdownNow();
            s.server().shutdownNow();
        }
    }
}
