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
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One proxied request, from routing to the last byte of its response. It owns what the request holds (the gate
 * permit, the replica slot, the backend connection, the deadline) and gives each back exactly once, whichever way
 * the request ends: response complete, timeout (504), rejection (503), upstream failure (502), or the client leaving.
 *
 * <p>Both directions stream with backpressure. The request's body is read from the client only once a replica's
 * connection is open, and only while that connection can take more; the response is read from the replica only
 * while the client's connection can take more. So Tide holds at most a socket buffer's worth of either, whatever
 * the size of the body, and a slow reader slows its writer down.
 *
 * <p>Threading: confined to the client connection's event loop; the gate's callbacks hop onto it first.
 */
final class Exchange implements Breaker.Listener, CompletedRequest {

    static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("tide.exchange");
    private static final String H2C = "h2c";
    private static final String HTTP2_SETTINGS = "HTTP2-Settings";

    /** The connection (or HTTP/2 stream) a request came on, as an exchange needs it. */
    interface Client {
        /** Reads the next part of the request's body; it comes to {@link #fromClient}. */
        void readBody();

        /** Whether the request's body has parts not read yet. */
        boolean bodyOpen();

        /** The exchange is over: read the next request, or close when the connection cannot be kept. */
        void ended(boolean keepAlive);
    }

    private final ChannelHandlerContext client;
    private final Client connection;
    private final RevisionEndpoint endpoint;
    private final boolean keepAlive;
    private final boolean http2;
    private final BackendPool pool;
    private final Ticker ticker;
    /** The request's head until it is sent to the replica. */
    private HttpRequest request;
    private final boolean expectContinue;
    /** Whether "100 Continue" went to the client, which then sends its body. */
    private boolean continued;
    /** The replica's connection cannot take more, so the client's body waits until it can. */
    private boolean bodyWaitsForBackend;
    /** The replica sent an informational (1xx) head, whose empty end is not the response's. */
    private boolean informational;
    /** The response's end is the connection's close, for a client that cannot be sent chunks (HTTP/1.0). */
    private boolean closeDelimited;
    private long requestBytes;
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

    Exchange(ChannelHandlerContext client, Client connection, HttpRequest request, RevisionEndpoint endpoint, boolean keepAlive,
             boolean http2, BackendPool pool, Ticker ticker, String clientIp, int clientPort) {
        this.client = client;
        this.connection = connection;
        this.request = request;
        this.endpoint = endpoint;
        this.keepAlive = keepAlive;
        this.http2 = http2;
        this.pool = pool;
        this.ticker = ticker;
        this.expectContinue = connection.bodyOpen() && HttpUtil.is100ContinueExpected(request);
        this.method = request.method().name();
        this.uri = request.uri();
        this.version = request.protocolVersion();
        this.headers = request.headers();
        this.clientIp = clientIp;
        this.clientPort = clientPort;
    }

    void start() {
        startNanos = ticker.nanos();
        endpoint.stats().started(startNanos);
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
        Future<Channel> connecting = endpoint.h2c() ? pool.openStream(port) : pool.acquire(port);
        connecting.addListener(f -> {
            if (done) {
                if (f.isSuccess()) {
                    ((Channel) f.getNow()).close();
                }
                return;
            }
            if (!f.isSuccess()) {
                fail(HttpResponseStatus.BAD_GATEWAY, "upstream connect error: " + f.cause().getMessage());
                return;
            }
            backend = (Channel) f.getNow();
            backend.attr(EXCHANGE).set(this);
            HttpRequest r = request;
            request = null;
            HttpHeaders h = r.headers();
            if (h.contains(HttpHeaderNames.UPGRADE, H2C, true)) {
                // An offer to switch to h2c is between the client and Tide, which declines it by answering in
                // HTTP/1.1; the replica must not take it up.
                h.remove(HttpHeaderNames.UPGRADE);
                h.remove(HTTP2_SETTINGS);
            }
            HttpUtil.setKeepAlive(r, true); // also drops the client's Connection header, which was for Tide
            h.add("X-Forwarded-For", clientIp);
            if (http2) {
                // What Netty's HTTP/2 to HTTP/1.1 conversion adds about the stream is not the replica's business.
                h.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
                h.remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
            }
            if (expectContinue) {
                // Tide answers the expectation itself, now that a replica will take the body.
                h.remove(HttpHeaderNames.EXPECT);
                client.writeAndFlush(new DefaultFullHttpResponse(version, HttpResponseStatus.CONTINUE));
                continued = true;
            }
            backend.write(r).addListener(backendWritten);
            if (connection.bodyOpen()) {
                connection.readBody(); // often already read: then it is written here, before the flush below
            }
            backend.flush();
        });
    }

    /** Fails the exchange when a write to the replica fails (the connection broke). */
    private final ChannelFutureListener backendWritten = w -> {
        if (!w.isSuccess()) {
            backendGone();
        }
    };

    /** A part of the request's body, read from the client after the head went to the replica. */
    void fromClient(HttpContent part) {
        if (done || backend == null) {
            part.release();
            return;
        }
        requestBytes += part.content().readableBytes();
        backend.writeAndFlush(part).addListener(backendWritten);
        if (!(part instanceof LastHttpContent)) {
            if (backend.isWritable()) {
                connection.readBody();
            } else {
                bodyWaitsForBackend = true;
            }
        }
    }

    /** The replica's connection can take more (or less) now. */
    void backendWritabilityChanged() {
        if (bodyWaitsForBackend && backend != null && backend.isWritable()) {
            bodyWaitsForBackend = false;
            connection.readBody();
        }
    }

    /** The client's connection can take more (or less) now: the response is read from the replica while it can. */
    void clientWritabilityChanged() {
        if (backend != null && client.channel().isWritable()) {
            backend.config().setAutoRead(true);
        }
    }

    /** The replica named by the request's affinity cookie, or {@code null}. */
    private String stickyReplica() {
        RevisionEndpoint.Affinity affinity = endpoint.affinity();
        String header = affinity == null ? null : headers.get(HttpHeaderNames.COOKIE);
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
        if (msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL
                && r.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            // An interim head (103 Early Hints, or a 100 the replica sent anyway): not the response, and the client has
            // either had its "100 Continue" from Tide or did not ask for one.
            informational = true;
            ReferenceCountUtil.release(msg);
            return;
        }
        if (informational && msg instanceof LastHttpContent) {
            informational = false; // the interim head's empty end
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse r) {
            responseStarted = true;
            status = r.status().code();
            deadline.cancel(false);
            backendKeepAlive = HttpUtil.isKeepAlive(r);
            if (!http2) {
                frameForClient(r);
            }
            HttpUtil.setKeepAlive(r, keepAliveAfter());
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
            if (!last && !client.channel().isWritable()) {
                backend.config().setAutoRead(false); // until the client has taken what is queued for it
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
        if (last) {
            finish(backendKeepAlive);
        }
    }

    private void finish(boolean replicaKeepsAlive) {
        done = true;
        Channel b = backend;
        backend = null;
        if (b != null) {
            b.attr(EXCHANGE).set(null);
            // Cut short by an early response, the request is mid-message on that connection (or stream): closing it
            // is the only way to end the message (on a stream, a reset).
            if (replicaKeepsAlive && !connection.bodyOpen()) {
                pool.release(port, b);
            } else {
                b.close();
            }
        }
        complete();
    }

    /**
     * Answers in the client's HTTP version, and gives a body the replica ends by closing its connection (an HTTP/1.0
     * reply with neither Content-Length nor chunking) a framing the client can see: chunked for an HTTP/1.1 client,
     * whose connection then stays usable; for an HTTP/1.0 client, the close that the replica meant. Example: Python's
     * http.server answers {@code HTTP/1.0 200} with no length; an HTTP/1.1 client gets {@code HTTP/1.1 200} chunked.
     */
    private void frameForClient(HttpResponse r) {
        r.setProtocolVersion(version);
        int code = r.status().code();
        boolean bodyless = code < 200 || code == 204 || code == 304 || "HEAD".equals(method);
        if (bodyless || HttpUtil.isContentLengthSet(r) || HttpUtil.isTransferEncodingChunked(r)) {
            return;
        }
        if (version.equals(HttpVersion.HTTP_1_1)) {
            HttpUtil.setTransferEncodingChunked(r, true);
        } else {
            closeDelimited = true;
        }
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
            connection.ended(false);
        }
    }

    private void timedOut() {
        if (!done && !responseStarted) {
            fail(HttpResponseStatus.GATEWAY_TIMEOUT, ServingException.REQUEST_TIMEOUT.getMessage());
        }
    }

    /** Whether the client has had any of the response (then no other answer can be given it). */
    boolean responseStarted() {
        return responseStarted;
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
        this.responseSize = respond(client, status, message, keepAliveAfter());
        complete();
    }

    /** Gives everything back, then lets the connection read its next request. */
    private void complete() {
        release();
        observe();
        connection.ended(keepAliveAfter());
    }

    /** Whether the client's connection can carry another request after this response. */
    private boolean keepAliveAfter() {
        return !closeDelimited && keepsConnection(keepAlive, expectContinue && !continued, connection.bodyOpen());
    }

    /**
     * Whether a client connection can carry another request after a final answer: not if the client waits for a
     * "100 Continue" it never got, because its body will not come and what comes instead cannot be told from it.
     *
     * @param clientKeepAlive what the request asked for
     * @param awaitsContinue  the request expects "100 Continue" and has not had it
     * @param bodyOpen        the request's body has parts not read yet
     */
    static boolean keepsConnection(boolean clientKeepAlive, boolean awaitsContinue, boolean bodyOpen) {
        return clientKeepAlive && !(awaitsContinue && bodyOpen);
    }

    private void release() {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (request != null) {
            ReferenceCountUtil.release(request);
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
        endpoint.stats().ended(endNanos);
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
        return http2 ? "HTTP/2.0" : version.text();
    }

    @Override
    public long contentLength() {
        // Read only when an observer asks; a body without a declared length (chunked, or HTTP/2) is counted.
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        return length == null ? requestBytes : Long.parseLong(length.strip());
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
