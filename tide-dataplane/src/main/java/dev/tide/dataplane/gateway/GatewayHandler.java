package dev.tide.dataplane.gateway;

import dev.tide.common.time.Ticker;
import dev.tide.dataplane.routing.RevisionKey;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * One client connection: routes each request and hands it to an {@link Exchange}. One request at a time per
 * connection: reading stops until its response is written (backpressure, and no pipelined responses out of order).
 */
final class GatewayHandler extends ChannelInboundHandlerAdapter {

    private final Endpoints endpoints;
    private final Function<EventLoop, BackendPool> pools;
    private final Ticker ticker;
    private final RandomGenerator random;
    /** The request in progress on this connection; event-loop confined. */
    private Exchange current;
    /** This connection's event loop's backend pool, resolved once. */
    private BackendPool pool;
    /** The client's address, read once per connection (X-Forwarded-For and request logs use it on every request). */
    private String clientIp;
    private int clientPort;

    GatewayHandler(Endpoints endpoints, Function<EventLoop, BackendPool> pools, Ticker ticker, RandomGenerator random) {
        this.endpoints = endpoints;
        this.pools = pools;
        this.ticker = ticker;
        this.random = random;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            req.release();
            Exchange.respond(ctx, HttpResponseStatus.BAD_REQUEST, "malformed request", false);
            return;
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        RevisionKey revision = endpoints.table().route(host, req.uri(), random);
        if (revision == null) {
            req.release();
            Exchange.respond(ctx, HttpResponseStatus.NOT_FOUND, "no route for host \"" + host + "\"", keepAlive);
            return;
        }
        RevisionEndpoint endpoint = endpoints.get(revision);
        if (endpoint == null) {
            req.release();
            Exchange.respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "revision " + revision + " is not served yet", keepAlive);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        if (pool == null) {
            pool = pools.apply(ctx.channel().eventLoop());
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            clientIp = remote.getAddress().getHostAddress();
            clientPort = remote.getPort();
        }
        current = new Exchange(ctx, req, endpoint, keepAlive, pool, ticker, clientIp, clientPort, () -> current = null);
        current.start();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientGone();
            current = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
