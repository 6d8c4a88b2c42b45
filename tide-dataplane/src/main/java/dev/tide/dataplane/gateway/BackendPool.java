package dev.tide.dataplane.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import java.util.ArrayDeque;

/**
 * Connections to replicas, for one event loop: idle HTTP/1.1 keep-alive connections, and one HTTP/2 (h2c)
 * connection per replica for revisions whose replicas speak it, each request a stream on it. Confined to that loop,
 * so it needs no lock.
 */
final class BackendPool implements Backends {

    static final int MAX_IDLE_PER_REPLICA = 64;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    /** By {@link ReplicaAddress}; a long-keyed map, so acquiring and releasing box nothing. */
    private final LongObjectMap<ArrayDeque<Channel>> idle = new LongObjectHashMap<>();
    private final Bootstrap h2cBootstrap;
    /** By {@link ReplicaAddress}: the h2c connection to the replica (open or opening). */
    private final LongObjectMap<ChannelFuture> h2c = new LongObjectHashMap<>();
    private final ChannelInitializer<Http2StreamChannel> streamInit = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
            stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new BackendHandler());
        }
    };

    BackendPool(EventLoop loop) {
        this.loop = loop;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(Transport.of(loop).clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new BackendHandler());
                    }
                });
        this.h2cBootstrap = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                // Replicas do not open streams towards Tide; the handler for such streams has nothing to do.
                ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            }
        });
    }

    @Override
    public Future<Channel> acquire(long address) {
        ArrayDeque<Channel> q = idle.get(address);
        while (q != null && !q.isEmpty()) {
            Channel c = q.pollLast();
            if (c.isActive()) {
                return loop.newSucceededFuture(c);
            }
        }
        Promise<Channel> connected = loop.newPromise();
        bootstrap.connect(ReplicaAddress.socket(address)).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                connected.setSuccess(f.channel());
            } else {
                connected.setFailure(f.cause());
            }
        });
        return connected;
    }

    /**
     * A new stream on the h2c connection to {@code address}, which is opened first if there is none. The stream speaks
     * Netty's HTTP/1.1 message objects, as a pooled HTTP/1.1 connection does, so the exchange treats both alike; it
     * ends when both sides have ended it, and is never reused.
     */
    @Override
    public Future<Channel> openStream(long address) {
        ChannelFuture connection = h2c.get(address);
        if (connection == null || (connection.isDone() && !connection.channel().isActive())) {
            ChannelFuture opening = h2cBootstrap.connect(ReplicaAddress.socket(address));
            h2c.put(address, opening);
            opening.channel().closeFuture().addListener(f -> {
                if (h2c.get(address) == opening) {
                    h2c.remove(address);
                }
            });
            connection = opening;
        }
        Promise<Channel> stream = loop.newPromise();
        connection.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                stream.setFailure(f.cause());
                return;
            }
            new Http2StreamChannelBootstrap(f.channel()).handler(streamInit).open().addListener(s -> {
                if (s.isSuccess()) {
                    stream.setSuccess((Channel) s.getNow());
                } else {
                    stream.setFailure(s.cause());
                }
            });
        });
        return stream;
    }

    /**
     * Returns a connection whose response ended and which the replica keeps alive. An h2c stream is not kept: it
     * ended with its last frames, and the next request opens its own.
     */
    @Override
    public void release(long address, Channel c) {
        if (c instanceof Http2StreamChannel || !c.isActive()) {
            return;
        }
        c.config().setAutoRead(true); // the exchange may have paused it for a slow client
        ArrayDeque<Channel> q = idle.get(address);
        if (q == null) {
            q = new ArrayDeque<>();
            idle.put(address, q);
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
            h2c.values().forEach(f -> f.channel().close());
            h2c.clear();
        });
    }
}
