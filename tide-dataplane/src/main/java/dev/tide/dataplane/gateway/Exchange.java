package dev.tide.dataplane.gateway;

import dev.tide.common.time.Ticker;
import dev.tide.dataplane.ServingException;
import dev.tide.dataplane.balancer.ReplicaSlots;
import dev.tide.dataplane.limiter.Breaker;
import dev.tide.dataplane.observe.CompletedRequest;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One proxied request, from routing to the last byte of its response. It owns what the request holds (the gate
 * permit, the replica slot, the backend connection, the deadline) and gives each back exactly once, whichever way
 * the request ends: response complete, timeout (504), rejection (503), upstream failure (502), or the client leaving.
 *
 * <p>Threading: confined to the client connection's event loop; the gate's callbacks hop onto it first.
 */
final class Exchange implements Breaker.Listener, CompletedRequest {

    static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("tide.exchange");

    private final ChannelHandlerContext client;
    private final RevisionEndpoint endpoint;
    private final boolean keepAlive;
    private final BackendPool pool;
    private final Ticker ticker;
    private final Runnable onDone;
    private FullHttpRequest request;
    private Breaker.Permit permit;
    private ReplicaSlots slot;
    private int port;
    private Channel backend;
    private ScheduledFuture<?> deadline;
    private boolean responseStarted;
    /** Whether the replica keeps the connection alive after this response (from its response headers). */
    private boolean backendKeepAlive = true;
    private boolean done;
    // What request logs and metrics see; strings are made only when an observer asks for them.
    private long startNanos;
    private long endNanos;
    private final String method;
    private final String uri;
    private final HttpVersion version;
    private final HttpHeaders headers;
    private final String clientIp;
    private final int clientPort;
    private int status;
    private long responseSize;

    Exchange(ChannelHandlerContext client, FullHttpRequest request, RevisionEndpoint endpoint, boolean keepAlive, BackendPool pool,
             Ticker ticker, String clientIp, int clientPort, Runnable onDone) {
        this.client = client;
        this.request = request;
        this.endpoint = endpoint;
        this.keepAlive = keepAlive;
        this.pool = pool;
        this.ticker = ticker;
        this.onDone = onDone;
        this.method = request.method().name();
        this.uri = request.uri();
        this.version = request.protocolVersion();
        this.headers = request.headers();
        this.clientIp = clientIp;
        this.clientPort = clientPort;
    }

    void start() {
        startNanos = ticker.nanos();
        endpoint.stats().started(startNanos, false);
        endpoint.arrived();
        long timeoutNanos = endpoint.timeout().toNanos();
        // timeoutSeconds bounds the time to the first response byte, queueing included.
        deadline = client.executor().schedule(this::timedOut, timeoutNanos, TimeUnit.NANOSECONDS);
        endpoint.gate().acquire(timeoutNanos, this);
    }

    @Override
    public void granted(Breaker.Permit p) {
        client.executor().execute(() -> dispatch(p));
    }

    @Override
    public void rejected(ServingException reason) {
        client.executor().execute(() -> fail(HttpResponseStatus.valueOf(reason.status()), reason.getMessage()));
    }

    private void dispatch(Breaker.Permit p) {
        if (done) {
            p.release();
            return;
        }
        permit = p;
        slot = endpoint.pick(stickyReplica());
        if (slot == null) {
            fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "no replica has a free slot");
            return;
        }
        port = endpoint.port(slot);
        if (port < 0) {
            fail(HttpResponseStatus.BAD_GATEWAY, "the replica went away");
            return;
        }
        pool.acquire(port).addListener(f -> {
            if (done) {
                if (f.isSuccess()) {
                    ((io.netty.channel.ChannelFuture) f).channel().close();
                }
                return;
            }
            if (!f.isSuccess()) {
                fail(HttpResponseStatus.BAD_GATEWAY, "upstream connect error: " + f.cause().getMessage());
                return;
            }
            backend = ((io.netty.channel.ChannelFuture) f).channel();
            backend.attr(EXCHANGE).set(this);
            FullHttpRequest r = request;
            request = null;
            HttpUtil.setKeepAlive(r, true);
            r.headers().add("X-Forwarded-For", clientIp);
            backend.writeAndFlush(r).addListener((ChannelFutureListener) w -> {
                if (!w.isSuccess()) {
                    backendGone();
                }
            });
        });
    }

    /** The replica named by the request's affinity cookie, or {@code null}. */
    private String stickyReplica() {
        RevisionEndpoint.Affinity affinity = endpoint.affinity();
        String header = affinity == null || request == null ? null : request.headers().get(HttpHeaderNames.COOKIE);
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equals(affinity.cookieName())) {
                return part.substring(eq + 1).strip();
            }
        }
        return null;
    }

    /** A part of the replica's response, read on the backend connection (same event loop). */
    void fromBackend(Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        boolean last = msg instanceof LastHttpContent;
        if (msg instanceof HttpResponse r) {
            responseStarted = true;
            status = r.status().code();
            deadline.cancel(false);
            backendKeepAlive = HttpUtil.isKeepAlive(r);
            HttpUtil.setKeepAlive(r, keepAlive);
            RevisionEndpoint.Affinity affinity = endpoint.affinity();
            if (affinity != null && slot != null) {
                r.headers().add(HttpHeaderNames.SET_COOKIE, affinity.cookieName() + "=" + slot.id() + "; Max-Age="
                        + affinity.maxAgeSeconds() + "; Path=/; HttpOnly");
            }
        }
        if (msg instanceof HttpContent c) {
            responseSize += c.content().readableBytes();
        }
        if (msg instanceof HttpContent || msg instanceof HttpResponse) {
            client.writeAndFlush(msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
        if (last) {
            finish(backendKeepAlive);
        }
    }

    private void finish(boolean reuseBackend) {
        done = true;
        Channel b = backend;
        backend = null;
        if (b != null) {
            b.attr(EXCHANGE).set(null);
            if (reuseBackend) {
                pool.release(port, b);
            } else {
                b.close();
            }
        }
        complete();
    }

    /** The backend connection closed or failed. */
    void backendGone() {
        if (done) {
            return;
        }
        if (!responseStarted) {
            fail(HttpResponseStatus.BAD_GATEWAY, "upstream closed the connection before responding");
        } else {
            // The response was cut short: the client must not take it as whole.
            done = true;
            backend = null;
            release();
            observe();
            client.close();
            onDone.run();
        }
    }

    private void timedOut() {
        if (!done && !responseStarted) {
            fail(HttpResponseStatus.GATEWAY_TIMEOUT, ServingException.REQUEST_TIMEOUT.getMessage());
        }
    }

    void clientGone() {
        if (done) {
            return;
        }
        done = true;
        if (backend != null) {
            backend.close();
            backend = null;
        }
        release();
    }

    private void fail(HttpResponseStatus status, String message) {
        if (done) {
            return;
        }
        done = true;
        if (backend != null) {
            backend.attr(EXCHANGE).set(null);
            backend.close();
            backend = null;
        }
        this.status = status.code();
        this.responseSize = respond(client, status, message, keepAlive);
        complete();
    }

    /** Gives everything back, then lets the connection read its next request. */
    private void complete() {
        release();
        observe();
        onDone.run();
        if (keepAlive && client.channel().isActive()) {
            client.channel().config().setAutoRead(true);
            client.read();
        } else {
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void release() {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (request != null) {
            request.release();
            request = null;
        }
        if (slot != null) {
            slot.release();
            slot = null;
        }
        if (permit != null) {
            permit.release();
            permit = null;
        }
        endNanos = ticker.nanos(); // one reading for the autoscaler's stats and the observers' latency
        endpoint.stats().ended(endNanos, false);
    }

    /** Tells the revision's observers; after {@link #release()}, which took the end time. */
    private void observe() {
        endpoint.observer().completed(this);
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String requestUri() {
        return uri;
    }

    @Override
    public String proto() {
        return version.text();
    }

    @Override
    public long contentLength() {
        // Read only when an observer asks. The aggregator sets Content-Length on every request it passes on.
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        return length == null ? 0 : Long.parseLong(length.strip());
    }

    @Override
    public String remoteAddr() {
        return clientIp + ":" + clientPort;
    }

    @Override
    public HttpHeaders headers() {
        return headers;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public long responseSize() {
        return responseSize;
    }

    @Override
    public long latencyNanos() {
        return endNanos - startNanos;
    }

    @Override
    public String podIp() {
        return port > 0 ? BackendPool.REPLICA_HOST : "";
    }

    /** Answers for the replica; returns the body's size. */
    static int respond(ChannelHandlerContext ctx, HttpResponseStatus status, String message, boolean keepAlive) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        HttpUtil.setKeepAlive(r, keepAlive);
        int size = r.content().readableBytes();
        ctx.writeAndFlush(r);
        return size;
    }
}
