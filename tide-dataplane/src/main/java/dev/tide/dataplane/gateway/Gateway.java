package dev.tide.dataplane.gateway;

import dev.tide.common.time.Ticker;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flow.FlowControlHandler;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Tide's ingress: routes each request by its Host (or KServe model path) to a revision, through the revision's gate
 * (waiting while it scales from zero, limited by containerConcurrency), to a ready replica, and streams the
 * request's body there and the response back as they come, each at the pace its reader takes it.
 *
 * <p>Clients speak HTTP/1.1, or HTTP/2 over cleartext with prior knowledge (h2c; each stream is one request).
 * Replicas are spoken to in HTTP/1.1 over per-event-loop keep-alive connections, or in HTTP/2 when their revision
 * says they speak it ({@link RevisionEndpoint#h2c()}): a stream per request on one connection per replica and loop.
 *
 * <p>Threading: Netty's. Each connection lives on one event loop, and so does its request's backend connection (a
 * per-event-loop pool), so a proxied request never crosses threads except when the gate grants it a slot from
 * another thread, and then it hops back onto its own loop. Nothing blocks an event loop.
 */
public final class Gateway implements AutoCloseable {

    /** The name of every client connection's last handler. */
    private static final String CLIENT_ERRORS = "client-errors";

    private final Endpoints endpoints;
    private final EventLoopGroup group;
    private final InetSocketAddress bind;
    private final Ticker ticker;
    private final RandomGenerator random;
    private final ClientLimits limits;
    private final Map<EventLoop, BackendPool> pools = new ConcurrentHashMap<>();
    /** Sets up each HTTP/2 stream as a connection of its own; one for all connections (initializers are sharable). */
    private final ChannelInitializer<Http2StreamChannel> http2Stream = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
            stream.config().setAutoRead(false);
            stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new FlowControlHandler(),
                    new GatewayHandler(endpoints, Gateway.this::pool, ticker, random, true, limits));
        }
    };
    private final ClientErrors clientErrors;
    private Channel server;

    /**
     * @param group  the event loops (the launcher owns them and shuts them down)
     * @param limits what one client may hold: timeouts, sizes, and the listener's connection cap
     */
    public Gateway(Endpoints endpoints, EventLoopGroup group, InetSocketAddress bind, Ticker ticker, RandomGenerator random,
            ClientLimits limits) {
        this.limits = limits;
        this.endpoints = endpoints;
        this.group = group;
        this.bind = bind;
        this.ticker = ticker;
        this.random = random;
        System.Logger logger = System.getLogger(Gateway.class.getName());
        this.clientErrors = new ClientErrors(ticker, line -> logger.log(System.Logger.Level.WARNING, line));
    }

    public Gateway start() throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(Transport.of(group).serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .handler(new ConnectionCap(limits.maxConnections()))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false) // handlers read when they can pass on what they read
                // A client that half-closes after its request still gets the answer; the handlers close after it.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ClientTimeouts timeouts = new ClientTimeouts(limits);
                        ch.pipeline().addLast(timeouts.bytes(), new ProtocolSelector(
                                selector -> http1(selector, timeouts), selector -> http2(selector, timeouts)));
                        ch.pipeline().addLast(CLIENT_ERRORS, clientErrors); // stays last: the protocol's handlers go before it
                    }
                })
                .bind(bind).sync().channel();
        return this;
    }

    private void http1(ChannelHandlerContext selector, ClientTimeouts timeouts) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLine())
                .setMaxHeaderSize(limits.maxHeaderBytes());
        selector.pipeline().addAfter(selector.name(), null, new HttpServerCodec(decoder))
                .addBefore(CLIENT_ERRORS, null, timeouts.messages())
                .addBefore(CLIENT_ERRORS, null, new FlowControlHandler())
                .addBefore(CLIENT_ERRORS, null, new GatewayHandler(endpoints, this::pool, ticker, random, false, limits));
    }

    /**
     * HTTP/2: the connection reads all the time (its control frames must flow); each stream is a child channel that
     * reads only when asked, which holds back the stream's flow-control window, so a request body still streams at
     * the replica's pace.
     */
    private void http2(ChannelHandlerContext selector, ClientTimeouts timeouts) {
        timeouts.http2();
        selector.pipeline().addAfter(selector.name(), null, Http2FrameCodecBuilder.forServer()
                        .initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(limits.maxHeaderBytes()))
                        .build())
                .addBefore(CLIENT_ERRORS, null, new Http2MultiplexHandler(http2Stream))
                .addBefore(CLIENT_ERRORS, null, new Http2HalfClose());
        selector.channel().config().setAutoRead(true);
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

    /** An HTTP/2 client that half-closes its connection sends no more frames: it is closed. */
    private static final class Http2HalfClose extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
