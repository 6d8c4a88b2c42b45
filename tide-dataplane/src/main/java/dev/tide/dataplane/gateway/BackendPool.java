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
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayDeque;

/**
 * Idle keep-alive connections to replicas, for one event loop. Confined to that loop, so it needs no lock.
 */
final class BackendPool {

    static final int MAX_IDLE_PER_REPLICA = 64;
    /** Where replicas listen: they are local processes. */
    static final String REPLICA_HOST = "127.0.0.1";

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    /** By port; an int-keyed map, so acquiring and releasing box nothing. */
    private final IntObjectMap<ArrayDeque<Channel>> idle = new IntObjectHashMap<>();

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
        return bootstrap.connect(REPLICA_HOST, port);
    }

    /** Returns a connection whose response ended and which the replica keeps alive. */
    void release(int port, Channel c) {
        if (!c.isActive()) {
            return;
        }
        ArrayDeque<Channel> q = idle.get(port);
        if (q == null) {
            q = new ArrayDeque<>();
            idle.put(port, q);
        }
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
