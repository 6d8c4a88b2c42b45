package dev.tide.modelserver.http;

import dev.tide.modelserver.grpc.GrpcCalls;
import dev.tide.modelserver.protocol.ModelEndpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The model server's port: the REST protocol over HTTP/1.1 and over HTTP/2 with prior knowledge (h2c), and the v2
 * gRPC service on HTTP/2 streams, told apart by each connection's first bytes ({@link ProtocolSniffer}) and then by
 * each stream's {@code content-type} ({@link StreamRouter}). So a replica whose port is named {@code h2c} serves gRPC
 * clients through Tide's ingress, while probes and curl still reach it over HTTP/1.1. Bodies over
 * {@code maxBodyBytes} are refused with 413 (gRPC: RESOURCE_EXHAUSTED) before they are read; JSON work and inference
 * run off the event loop, on {@code codec} and the engine's threads.
 */
public final class ModelHttpServer implements AutoCloseable {

    /** Streams one HTTP/2 client may have open at once; the gateway opens one per request in flight. */
    private static final int MAX_STREAMS = 1000;
    /** As HTTP/1.1's codec limits a head (8 KiB): HTTP/2's header list gets the same room, four times over. */
    private static final int MAX_HEADER_LIST_BYTES = 32 * 1024;

    private final EventLoopGroup group;
    private final Channel server;
    private final InFlight inFlight = new InFlight();

    /**
     * @param grpc the v2 gRPC service, for calls on this port's HTTP/2 streams
     */
    public ModelHttpServer(String host, int port, ModelEndpoint endpoint, GrpcCalls grpc, Executor codec, int maxBodyBytes,
            int ioThreads) throws InterruptedException {
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ProtocolSniffer(new ProtocolSniffer.Protocols() {
                            @Override
                            public void http1(ChannelHandlerContext ctx) {
                                ctx.pipeline().addAfter(ctx.name(), null, new ModelRequestHandler(endpoint, codec, inFlight));
                                ctx.pipeline().addAfter(ctx.name(), null, new HttpObjectAggregator(maxBodyBytes));
                                ctx.pipeline().addAfter(ctx.name(), null, new HttpServerKeepAliveHandler());
                                ctx.pipeline().addAfter(ctx.name(), null, new HttpServerCodec());
                            }

                            @Override
                            public void http2(ChannelHandlerContext ctx) {
                                // The frame codec first: the multiplexer looks for it when it is added.
                                ctx.pipeline().addAfter(ctx.name(), "h2-frames", Http2FrameCodecBuilder.forServer()
                                        .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_STREAMS)
                                                .maxHeaderListSize(MAX_HEADER_LIST_BYTES))
                                        .build());
                                ctx.pipeline().addAfter("h2-frames", null, new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel stream) {
                                        stream.pipeline().addLast(new StreamRouter(endpoint, codec, inFlight, grpc, maxBodyBytes));
                                    }
                                }));
                            }
                        }));
                    }
                });
        this.server = b.bind(new InetSocketAddress(host, port)).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Stops accepting connections, waits up to {@code grace} for requests in flight to be answered, then closes.
     *
     * @return whether every request in flight was answered within the grace period
     */
    public boolean shutdownGracefully(Duration grace) throws InterruptedException {
        server.close().sync();
        boolean drained = inFlight.awaitZero(grace);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        return drained;
    }

    @Override
    public void close() throws InterruptedException {
        shutdownGracefully(Duration.ZERO);
    }

    /** Requests accepted and not yet answered. */
    static final class InFlight {
        private int count;

        synchronized void begin() {
            count++;
        }

        synchronized void end() {
            if (--count == 0) {
                notifyAll();
            }
        }

        synchronized boolean awaitZero(Duration grace) throws InterruptedException {
            long left = grace.toMillis();
            long step = 50;
            while (count > 0 && left > 0) {
                // wait() returns on notifyAll from end(); the step only bounds each wait so the grace is respected.
                wait(Math.min(step, left));
                left -= step;
            }
            return count == 0;
        }
    }
}
