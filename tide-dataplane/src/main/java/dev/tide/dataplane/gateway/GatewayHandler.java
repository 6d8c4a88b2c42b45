package dev.tide.dataplane.gateway;

import dev.tide.common.text.GrpcText;
import dev.tide.common.time.Ticker;
import dev.tide.dataplane.ServingException;
import dev.tide.dataplane.routing.RevisionKey;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * One client connection (HTTP/1.1), or one stream of an HTTP/2 connection: routes each request and hands it to an
 * {@link Exchange}.
 *
 * <p>Reading is explicit (auto-read off, and a {@code FlowControlHandler} before this handler hands over one message
 * per read): the head of a request is read, then its body only as fast as the replica's connection takes it, then
 * nothing until the response has been written. So a request body streams through without being held whole, a slow
 * replica slows its client down instead of filling Tide's memory, and pipelined requests are answered in order.
 *
 * <p>A {@code read()} asks for one read cycle, which may end ({@code channelReadComplete}) without the message this
 * handler waits for (the socket had only part of it); then it asks again.
 */
final class GatewayHandler extends ChannelInboundHandlerAdapter implements Exchange.Client {

    private static final ServingException BAD_CHUNK = new ServingException.Malformed(400, "malformed request body: bad chunk framing");

    private final Endpoints endpoints;
    private final Function<EventLoop, ? extends Backends> pools;
    private final Ticker ticker;
    private final RandomGenerator random;
    private final boolean http2;
    private final ClientLimits limits;
    private ChannelHandlerContext ctx;
    /** Whether the client half-closed: the request in progress is answered, then the connection closes. */
    private boolean inputClosed;
    /** The request in progress on this connection; event-loop confined. */
    private Exchange current;
    /** Whether the current request's body is still coming (its last part not read yet). */
    private boolean bodyOpen;
    /** Whether this handler asked for a message and has not had one yet. */
    private boolean wantsMessage;
    /** Whether the first read was asked for. */
    private boolean started;
    /** This connection's event loop's backend pool, resolved once. */
    private Backends pool;
    /** The client's address, read once per connection (X-Forwarded-For and request logs use it on every request). */
    private String clientIp;
    private int clientPort;

    /** @param http2 whether this handler serves one stream of an HTTP/2 connection */
    GatewayHandler(Endpoints endpoints, Function<EventLoop, ? extends Backends> pools, Ticker ticker, RandomGenerator random, boolean http2,
            ClientLimits limits) {
        this.limits = limits;
        this.endpoints = endpoints;
        this.pools = pools;
        this.ticker = ticker;
        this.random = random;
        this.http2 = http2;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            started = true; // added once the connection told its protocol
            read();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!started) {
            started = true;
            read();
        }
        ctx.fireChannelActive();
    }

    private void read() {
        wantsMessage = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (wantsMessage) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        wantsMessage = false;
        if (msg instanceof HttpRequest head) {
            request(ctx, head);
        } else if (msg instanceof HttpContent part) {
            if (!part.decoderResult().isSuccess()) {
                part.release();
                badBody();
                return;
            }
            if (part instanceof LastHttpContent) {
                bodyOpen = false;
            }
            if (current != null) {
                current.fromClient(part);
            } else {
                // The rest of a body whose request was already answered: dropped, then on to the next request.
                part.release();
                read();
            }
        } else {
            ReferenceCountUtil.release(msg);
            read();
        }
    }

    /**
     * A broken chunk: nothing after it on this connection can be trusted, so it closes. A request whose exchange has
     * not begun its response gets {@code 400} first; one already answered (refused, or the body of a request Tide
     * took no further) gets nothing more.
     */
    private void badBody() {
        bodyOpen = false;
        Exchange exchange = current;
        current = null;
        boolean answerable = exchange != null && !exchange.responseStarted() && !http2;
        if (exchange != null) {
            exchange.clientGone();
        }
        if (!answerable) {
            ctx.close();
            return;
        }
        Refusals.send(ctx, BAD_CHUNK, false, io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
        LingeringClose.close(ctx.channel());
    }

    private void request(ChannelHandlerContext ctx, HttpRequest head) {
        bodyOpen = !(head instanceof LastHttpContent);
        boolean keepAlive = HttpUtil.isKeepAlive(head);
        ServingException.Malformed refusal = http2 ? HeadRules.checkStream(head) : HeadRules.check(head, limits);
        if (refusal != null) {
            reject(head, refusal, false);
            return;
        }
        if (!http2) {
            HeadRules.originForm(head);
        }
        String host = head.headers().get(HttpHeaderNames.HOST);
        RevisionKey revision = endpoints.table().route(host, head.uri(), random);
        if (revision == null) {
            reject(head, new ServingException.NoRoute(host), keepAlive);
            return;
        }
        RevisionEndpoint endpoint = endpoints.get(revision);
        if (endpoint == null) {
            reject(head, new ServingException.Unavailable("revision " + revision + " is not served yet"), keepAlive);
            return;
        }
        if (!endpoint.h2c() && GrpcText.isGrpc(head.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            // Turned into HTTP/1.1, a call would lose its trailers, and with them its status.
            reject(head, new ServingException.NotServed("revision " + revision + " speaks HTTP/1.1; gRPC needs HTTP/2 to the "
                    + "replica: name its container port h2c"), keepAlive);
            return;
        }
        if (pool == null) {
            pool = pools.apply(ctx.channel().eventLoop());
            if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
                clientIp = remote.getAddress().getHostAddress();
                clientPort = remote.getPort();
            } else {
                clientIp = String.valueOf(ctx.channel().remoteAddress()); // not an IP connection (an embedded one)
            }
        }
        // The exchange applies the 100-continue rule itself: it may well send "100 Continue" and read the whole body.
        current = new Exchange(ctx, this, head, endpoint, keepAlive, http2, pool, ticker, clientIp, clientPort);
        current.start();
    }

    /** Answers a request Tide takes no further; its body, if any, is then read and dropped. */
    private void reject(HttpRequest head, ServingException reason, boolean keepAlive) {
        boolean keep = Exchange.keepsConnection(keepAlive, HttpUtil.is100ContinueExpected(head), bodyOpen);
        io.netty.handler.codec.http.HttpHeaders headers = head.headers();
        ReferenceCountUtil.release(head);
        Refusals.send(ctx, reason, keep, headers);
        ended(keep);
    }

    @Override
    public void readBody() {
        read();
    }

    @Override
    public void ended(boolean keepAlive) {
        current = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (keepAlive && !inputClosed) {
            read(); // the rest of this request's body, if any (dropped), then the next request
        } else if (http2) {
            ctx.close(); // ends the stream (RST_STREAM if the client is still sending); the connection stays
        } else {
            // Closes once everything written so far has gone out, and what the client still sends cannot reset it.
            LingeringClose.close(ctx.channel());
        }
    }

    @Override
    public boolean bodyOpen() {
        return bodyOpen;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
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
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !http2) {
            // Half-closed after its request: that request is answered first (ended() closes then).
            inputClosed = true;
            if (current == null) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (http2) {
            ctx.close(); // one stream's trouble: it alone ends, and its connection's handlers report what matters
        } else {
            ctx.fireExceptionCaught(cause); // to ClientErrors, which closes the connection and logs a line
        }
    }
}
