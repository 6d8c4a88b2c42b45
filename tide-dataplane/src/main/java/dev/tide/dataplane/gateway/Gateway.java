package dev.tide.dataplane.gateway;

import dev.tide.common.time.Ticker;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Tide's ingress: routes each request by its Host (or KServe model path) to a revision, through the revision's gate
 * (waiting while it scales from zero, limited by containerConcurrency), to a ready replica, and streams the
 * response back as it comes.
 *
 * <p>Threading: Netty's. Each connection lives on one event loop, and so does its request's backend connection (a
 * per-event-loop pool), so a proxied request never crosses threads except when the gate grants it a slot from
 * another thread, and then it hops back onto its own loop. Nothing blocks an event loop.
 */
public final class Gateway implements AutoCloseable {

    private final Endpoints endpoints;
    private final EventLoopGroup group;
    private final InetSocketAddress bind;
    private final Ticker ticker;
    private final RandomGenerator random;
    private final int maxBodyBytes;
    private final Map<EventLoop, BackendPool> pools = new ConcurrentHashMap<>();
    private Channel server;

    /**
     * @param group        the event loops (the launcher owns them and shuts them down)
     * @param maxBodyBytes request bodies above this get 413
     */
    public Gateway(Endpoints endpoints, EventLoopGroup group, InetSocketAddress bind, Ticker ticker, RandomGenerator random,
                   int maxBodyBytes) {
        this.endpoints = endpoints;
        this.group = group;
        this.bind = bind;
        this.ticker = ticker;
        this.random = random;
        this.maxBodyBytes = maxBodyBytes;
    }

    public Gateway start() throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(maxBodyBytes),
                                new GatewayHandler(endpoints, Gateway.this::pool, ticker, random));
                    }
                })
                .bind(bind).sync().channel();
        return this;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    BackendPool pool(EventLoop loop) {
        return pools.computeIfAbsent(loop, BackendPool::new);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        pools.values().forEach(BackendPool::closeAll);
    }
}
