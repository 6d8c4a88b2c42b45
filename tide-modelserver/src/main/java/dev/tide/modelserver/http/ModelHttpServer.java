package dev.tide.modelserver.http;

import dev.tide.modelserver.protocol.ModelEndpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
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
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The model server's HTTP/1.1 face. Bodies over {@code maxBodyBytes} are refused with 413 before they are read; JSON
 * work and inference run off the event loop, on {@code codec} and the engine's threads.
 */
public final class ModelHttpServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel server;
    private final InFlight inFlight = new InFlight();

    public ModelHttpServer(String host, int port, ModelEndpoint endpoint, Executor codec, int maxBodyBytes, int ioThreads)
            throws InterruptedException {
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(),
                                new HttpObjectAggregator(maxBodyBytes),
                                new ModelRequestHandler(endpoint, codec, inFlight));
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
