package dev.tide.dataplane.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Idle keep-alive connections to replicas, for one event loop. Confined to that loop, so it needs no lock.
 */
final class BackendPool {

    static final int MAX_IDLE_PER_REPLICA = 64;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Map<Integer, ArrayDeque<Channel>> idle = new HashMap<>();

    BackendPool(EventLoop loop) {
        this.loop = loop;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new BackendHandler());
                    }
                });
    }

    /** An idle connection to {@code port}, or a new one being opened. */
    ChannelFuture acquire(int port) {
        ArrayDeque<Channel> q = idle.get(port);
        while (q != null && !q.isEmpty()) {
            Channel c = q.pollLast();
            if (c.isActive()) {
                return c.newSucceededFuture();
            }
        }
        return bootstrap.connect("127.0.0.1", port);
    }

    /** Returns a connection whose response ended and which the replica keeps alive. */
    void release(int port, Channel c) {
        if (!c.isActive()) {
            return;
        }
        ArrayDeque<Channel> q = idle.computeIfAbsent(port, p -> new ArrayDeque<>());
        if (q.size() >= MAX_IDLE_PER_REPLICA) {
            c.close();
        } else {
            q.addLast(c);
        }
    }

    void closeAll() {
        loop.execute(() -> {
            idle.values().forEach(q -> q.forEach(Channel::close));
            idle.clear();
        });
    }
}
