package dev.tide.modelserver.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.modelserver.ModelFixtures;
import dev.tide.modelserver.grpc.GrpcCalls;
import dev.tide.modelserver.protocol.ModelEndpoint;
import dev.tide.testing.onnx.OnnxModels;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One port, three protocols: REST over HTTP/1.1 (probes, curl), REST over h2c (Tide's ingress to a port named
 * {@code h2c}) and v2 gRPC on h2c streams, each with a real client.
 */
class ModelPortTest {

    private static final String INFER = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]}]}";

    @TempDir
    static Path dir;
    private static ModelFixtures models;
    private static ExecutorService codec;
    private static EventLoopGroup clients;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        models = new ModelFixtures(dir, new ObjectMapper());
        codec = Executors.newFixedThreadPool(2);
        clients = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ModelEndpoint endpoint = models.endpoint("identity",
                OnnxModels.node("Identity", List.of("x"), List.of("y"), OnnxModels.FLOAT, "N", "3"), null);
        GrpcCalls calls = models.closeLater(GrpcCalls.forEndpoint(endpoint, codec, 1 << 20));
        port = models.closeLater(new ModelHttpServer("127.0.0.1", 0, endpoint, calls, codec, 1 << 20, 1)).port();
    }

    @AfterAll
    static void stop() throws Exception {
        models.close();
        codec.shutdown();
        clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void restOverHttp1AndOverH2cOnOnePortGiveTheSameAnswer() throws Exception {
        HttpResponse<String> h1;
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            h1 = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/identity/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(INFER)).build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(h1.statusCode()).isEqualTo(200);
        assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);

        String[] h2 = h2cExchange(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/models/identity/infer",
                Unpooled.copiedBuffer(INFER, StandardCharsets.UTF_8)));
        assertThat(h2[0]).isEqualTo("200");
        assertThat(h2[1]).isEqualTo(h1.body()).contains("\"data\":[1.0,2.0,3.0]");
        assertThat(h2cExchange(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/health/ready"))[0])
                .isEqualTo("200");
    }

    @Test
    void aGrpcMethodTheServiceLacksIsUnimplementedAndTheConnectionServesOn() {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
        try {
            MethodDescriptor<byte[], byte[]> nope = MethodDescriptor.<byte[], byte[]>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("inference.GRPCInferenceService/Nope")
                    .setRequestMarshaller(Bytes.INSTANCE).setResponseMarshaller(Bytes.INSTANCE).build();
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () ->
                    ClientCalls.blockingUnaryCall(channel, nope, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), new byte[0]));
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
            assertThat(e.getStatus().getDescription()).isEqualTo("Method not found: /inference.GRPCInferenceService/Nope");
            MethodDescriptor<byte[], byte[]> live = nope.toBuilder().setFullMethodName("inference.GRPCInferenceService/ServerLive").build();
            // ServerLiveResponse{live: true}: field 1, varint, 1.
            assertThat(ClientCalls.blockingUnaryCall(channel, live, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                    new byte[0])).containsExactly(0x08, 0x01);
        } finally {
            channel.shutdownNow();
        }
    }

    /** One request on a fresh h2c (prior knowledge) connection; returns the status and the body. */
    private static String[] h2cExchange(FullHttpRequest request) throws Exception {
        Channel conn = new Bootstrap().group(clients).channel(NioSocketChannel.class).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(), new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            }
        }).connect("127.0.0.1", port).sync().channel();
        try {
            CompletableFuture<String[]> answer = new CompletableFuture<>();
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(conn).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new HttpObjectAggregator(1 << 20),
                            new SimpleChannelInboundHandler<FullHttpResponse>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                    answer.complete(new String[] {Integer.toString(r.status().code()), r.content().toString(StandardCharsets.UTF_8)});
                                }
                            });
                }
            }).open().sync().getNow();
            request.headers().set(HttpHeaderNames.HOST, "127.0.0.1").set("x-http2-scheme", "http")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
            stream.writeAndFlush(request);
            return answer.get(30, TimeUnit.SECONDS);
        } finally {
            conn.close();
        }
    }

    private enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
