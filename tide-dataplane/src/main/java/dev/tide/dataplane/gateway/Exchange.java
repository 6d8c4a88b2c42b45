package dev.tide.dataplane.gateway;

import dev.tide.common.time.Ticker;
import dev.tide.dataplane.ServingException;
import dev.tide.dataplane.balancer.ReplicaSlots;
import dev.tide.dataplane.limiter.Breaker;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
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
 * <p>A try that fails before the replica can have acted on the request ({@link Tries}) goes back through the gate,
 * with the time the request has left, to another replica: a replica whose port refuses connections is taken out of
 * routing at once ({@link RevisionEndpoint#unreachable}), so the request waits for a free slot elsewhere, or for a
 * replica to come back, instead of failing. It rejoins the gate's queue at its end.
 *
 * <p>Threading: confined to the client connection's event loop; the gate's callbacks hop onto it first.
 */
final class Exchange implements Breaker.Listener, BackendHandler.Listener {

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
    private final Backends backends;
    private final Ticker ticker;
    private final RequestRecord record;
    private final ResponseFraming framing;
    /** The request's head as it came; its headers are prepared for replicas by the first try that connects. */
    private final HttpRequest head;
    private final boolean expectContinue;
    /** Whether the head is still this exchange's to release (a write hands it to the connection). */
    private boolean headOwned = true;
    /** Whether "100 Continue" went to the client, which then sends its body. */
    private boolean continued;
    /** The replica's connection cannot take more, so the client's body waits until it can. */
    private boolean bodyWaitsForBackend;
    /** A part of the body read while no replica's connection was open (between tries), for the next try. */
    private HttpContent heldPart;
    /** Whether a part with bytes (or trailers) went to a try. */
    private boolean bodyConsumed;
    /** What of the body went to tries, kept while small so another try can have it whole. */
    private final BodyReplay body = new BodyReplay();
    private Breaker.Permit permit;
    private ReplicaSlots slot;
    /** The replica of this try ({@link ReplicaAddress}). */
    private long address;
    private Channel backend;
    /** Whether this try's head has been accepted by its connection. */
    private boolean headSent;
    private int tries;
    /** The replicas of the tries that failed, so that the next goes elsewhere; null until one fails. */
    private List<String> triedReplicas;
    private ScheduledFuture<?> deadline;
    private boolean responseStarted;
    /** Whether the response has parts written to the client and not yet flushed. */
    private boolean unflushed;
    /** Whether {@link #start} is asking the gate, which may grant on this very call. */
    private boolean starting;
    private boolean done;

    Exchange(ChannelHandlerContext client, Client connection, HttpRequest request, RevisionEndpoint endpoint, boolean keepAlive,
             boolean http2, Backends backends, Ticker ticker, String clientIp, int clientPort) {
        this.client = client;
        this.connection = connection;
        this.head = request;
        this.endpoint = endpoint;
        this.keepAlive = keepAlive;
        this.http2 = http2;
        this.backends = backends;
        this.ticker = ticker;
        this.expectContinue = connection.bodyOpen() && HttpUtil.is100ContinueExpected(request);
        this.record = new RequestRecord(request, http2, clientIp, clientPort);
        this.framing = new ResponseFraming(request.protocolVersion(), http2, record.method());
    }

    void start() {
        long now = ticker.nanos();
        record.started(now);
        endpoint.stats().started(now);
        endpoint.arrived();
        long timeoutNanos = endpoint.timeout().toNanos();
        // timeoutSeconds bounds the time to the first response byte, queueing and every try included.
        deadline = client.executor().schedule(this::timedOut, timeoutNanos, TimeUnit.NANOSECONDS);
        starting = true;
        endpoint.gate().acquire(timeoutNanos, this);
        starting = false;
    }

    @Override
    public void granted(Breaker.Permit p) {
        if (starting && client.executor().inEventLoop()) {
            // A free slot, granted within start(): dispatched now rather than after a hop through the loop's task
            // queue (a queued task and a wakeup per request). Grants from elsewhere, and those of retries, still
            // hop, so a try never begins inside another's callback.
            dispatch(p);
        } else {
            client.executor().execute(() -> dispatch(p));
        }
    }

    @Override
    public void rejected(ServingException reason) {
        client.executor().execute(() -> fail(reason));
    }

    private void dispatch(Breaker.Permit p) {
        if (done) {
            p.release();
            return;
        }
        permit = p;
        tries++;
        slot = triedReplicas == null ? endpoint.pick(stickyReplica()) : endpoint.pickExcept(triedReplicas);
        if (slot == null) {
            fail(ServingException.NO_FREE_SLOT);
            return;
        }
        address = endpoint.address(slot);
        if (address < 0) {
            tryFailed(Tries.Failure.NOT_CONNECTED, "the replica went away");
            return;
        }
        Future<Channel> connecting = endpoint.h2c() ? backends.openStream(address) : backends.acquire(address);
        connecting.addListener(this::connected);
    }

    private void connected(Future<? super Channel> f) {
        if (done) {
            if (f.isSuccess()) {
                ((Channel) f.getNow()).close();
            }
            return;
        }
        if (!f.isSuccess()) {
            endpoint.unreachable(slot);
            tryFailed(Tries.Failure.NOT_CONNECTED, "upstream connect error: " + f.cause().getMessage());
            return;
        }
        Channel c = (Channel) f.getNow();
        BackendHandler handler = BackendHandler.of(c);
        if (handler == null) {
            tryFailed(Tries.Failure.NOT_SENT, "upstream connection closed"); // closed meanwhile: its handlers are gone
            return;
        }
        backend = c;
        handler.attach(this);
        headSent = false;
        boolean replay = !headOwned;
        HttpRequest h = replay ? new DefaultHttpRequest(head.protocolVersion(), head.method(), head.uri(), head.headers()) : prepared();
        if (expectContinue && !continued) {
            // Tide answers the expectation itself, now that a replica will take the body.
            client.writeAndFlush(new DefaultFullHttpResponse(record.version(), HttpResponseStatus.CONTINUE));
            continued = true;
        }
        backend.write(h).addListener(headWritten);
        boolean ended = false;
        if (replay) {
            for (HttpContent part : body.parts()) { // what the failed try was given: the retry rule saw it is whole
                ended |= part instanceof LastHttpContent;
                backend.write(part).addListener(bodyWritten);
            }
        }
        if (heldPart != null) {
            HttpContent part = heldPart;
            heldPart = null;
            fromClient(part);
        } else if (replay && !ended && !connection.bodyOpen()) {
            // The body ended with the head (an HTTP/2 request without data): a replayed head needs its own end.
            backend.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(bodyWritten);
        } else if (connection.bodyOpen()) {
            connection.readBody(); // often already read: then it is written here, before the flush below
        }
        c.flush(); // on c: a write that failed in the meantime may have ended this try
    }

    /** The head with what is between the client and Tide taken out and Tide's forwarding headers put in; once. */
    private HttpRequest prepared() {
        headOwned = false;
        HttpHeaders h = head.headers();
        if (h.contains(HttpHeaderNames.UPGRADE, H2C, true)) {
            // An offer to switch to h2c is between the client and Tide, which declines it by answering in HTTP/1.1;
            // the replica must not take it up.
            h.remove(HttpHeaderNames.UPGRADE);
            h.remove(HTTP2_SETTINGS);
        }
        HttpUtil.setKeepAlive(head, true); // also drops the client's Connection header, which was for Tide
        h.add("X-Forwarded-For", record.clientIp());
        if (http2) {
            // What Netty's HTTP/2 to HTTP/1.1 conversion adds about the stream is not the replica's business.
            h.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
            h.remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
        }
        if (expectContinue) {
            h.remove(HttpHeaderNames.EXPECT);
        }
        return head;
    }

    /** A head the connection refused (it was closed) never reached the replica. */
    private final ChannelFutureListener headWritten = w -> {
        if (w.channel() != backend) {
            return;
        }
        if (w.isSuccess()) {
            headSent = true;
        } else {
            tryFailed(Tries.Failure.NOT_SENT, "upstream connection closed: " + w.cause().getMessage());
        }
    };

    /** Fails the try when a write of the body fails (the connection broke). */
    private final ChannelFutureListener bodyWritten = w -> {
        if (!w.isSuccess()) {
            backendGone(w.channel());
        }
    };

    /** A part of the request's body, read from the client after the head went to the replica. */
    void fromClient(HttpContent part) {
        if (done) {
            part.release();
            return;
        }
        if (backend == null) {
            heldPart = part; // between tries; no more is read until the next try asks
            return;
        }
        int bytes = part.content().readableBytes();
        record.requestBytes(bytes);
        if (bytes > 0 || (part instanceof LastHttpContent last && !last.trailingHeaders().isEmpty())) {
            bodyConsumed = true;
        }
        body.given(part);
        Channel b = backend;
        b.writeAndFlush(part).addListener(bodyWritten);
        if (!(part instanceof LastHttpContent) && b == backend) { // the write may have failed and ended this try
            if (b.isWritable()) {
                connection.readBody();
            } else {
                bodyWaitsForBackend = true;
            }
        }
    }

    @Override
    public void backendReadComplete() {
        if (unflushed) {
            unflushed = false;
            client.flush();
        }
    }

    @Override
    public void backendWritabilityChanged() {
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
        String header = affinity == null ? null : record.headers().get(HttpHeaderNames.COOKIE);
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

    @Override
    public void fromBackend(Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!framing.passes(msg)) {
            return; // an interim head, released
        }
        boolean last = msg instanceof LastHttpContent;
        if (msg instanceof HttpResponse r) {
            responseStarted = true;
            body.close(); // no try comes after a response
            record.status(r.status().code(), true);
            record.replica(address);
            deadline.cancel(false);
            framing.head(r);
            HttpUtil.setKeepAlive(r, keepAliveAfter());
            RevisionEndpoint.Affinity affinity = endpoint.affinity();
            if (affinity != null && slot != null) {
                r.headers().add(HttpHeaderNames.SET_COOKIE, affinity.cookieName() + "=" + slot.id() + "; Max-Age="
                        + affinity.maxAgeSeconds() + "; Path=/; HttpOnly");
            }
        }
        if (msg instanceof HttpContent c) {
            record.responseBytes(c.content().readableBytes());
        }
        if (msg instanceof HttpContent || msg instanceof HttpResponse) {
            if (last) {
                client.writeAndFlush(msg);
                unflushed = false;
            } else {
                // Flushed when this read from the replica is complete: a head and the body that came with it go
                // out in one write, not one each.
                client.write(msg);
                unflushed = true;
                if (!client.channel().isWritable()) {
                    // Past the high-water mark: flushed now, and only if that leaves the client's buffer full does
                    // the replica wait. (Flushing can make the connection writable at once; pausing the replica
                    // after that would wait for an event that has already come.)
                    backendReadComplete();
                    if (!client.channel().isWritable()) {
                        backend.config().setAutoRead(false); // until the client has taken what is queued for it
                    }
                }
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
        if (last) {
            finish();
        }
    }

    private void finish() {
        done = true;
        Channel b = detachBackend();
        if (b != null) {
            // Cut short by an early response, the request is mid-message on that connection (or stream): closing it
            // is the only way to end the message (on a stream, a reset).
            if (framing.replicaKeepsAlive() && !connection.bodyOpen()) {
                backends.release(address, b);
            } else {
                b.close();
            }
        }
        complete();
    }

    @Override
    public void backendGone(Channel which) {
        if (done || which != backend) {
            return; // a connection an earlier try gave up
        }
        if (!responseStarted) {
            tryFailed(headSent ? Tries.Failure.LOST : Tries.Failure.NOT_SENT, "upstream closed the connection before responding");
        } else {
            // The response was cut short: the client gets what came of it, and must not take it as whole.
            done = true;
            detachBackend();
            backendReadComplete();
            release();
            observe();
            connection.ended(false);
        }
    }

    /**
     * This try failed before any response: the request goes back through the gate for another when {@link Tries}
     * allows it, else the client gets 502.
     */
    private void tryFailed(Tries.Failure failure, String message) {
        Channel b = detachBackend();
        if (b != null) {
            b.close();
        }
        bodyWaitsForBackend = false;
        if (!Tries.mayRetry(failure, tries, bodyConsumed && !body.whole(), record.method())) {
            fail(new ServingException.BadGateway(tries == 1 ? message : message + " (try " + tries + ")"));
            return;
        }
        if (triedReplicas == null) {
            triedReplicas = new ArrayList<>(Tries.MAX - 1);
        }
        triedReplicas.add(slot.id());
        slot.release();
        slot = null;
        Breaker.Permit p = permit;
        permit = null;
        p.release();
        long left = deadline.getDelay(TimeUnit.NANOSECONDS);
        if (left <= 0) {
            fail(ServingException.REQUEST_TIMEOUT);
            return;
        }
        endpoint.gate().acquire(left, this);
    }

    /** Stops listening to the backend connection and forgets it; returns it, or {@code null} if there was none. */
    private Channel detachBackend() {
        Channel b = backend;
        backend = null;
        if (b != null) {
            BackendHandler handler = BackendHandler.of(b);
            if (handler != null) {
                handler.attach(null);
            }
        }
        return b;
    }

    private void timedOut() {
        if (!done && !responseStarted) {
            fail(ServingException.REQUEST_TIMEOUT);
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
        Channel b = detachBackend();
        if (b != null) {
            b.close();
        }
        release();
    }

    private void fail(ServingException reason) {
        if (done) {
            return;
        }
        done = true;
        Channel b = detachBackend();
        if (b != null) {
            b.close();
        }
        record.status(reason.status(), false);
        record.responseSize(Refusals.send(client, reason, keepAliveAfter(), head.headers()));
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
        return !framing.closeDelimited() && keepsConnection(keepAlive, expectContinue && !continued, connection.bodyOpen());
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
        if (headOwned) {
            headOwned = false;
            ReferenceCountUtil.release(head);
        }
        if (heldPart != null) {
            heldPart.release();
            heldPart = null;
        }
        body.close();
        if (slot != null) {
            slot.release();
            slot = null;
        }
        if (permit != null) {
            permit.release();
            permit = null;
        }
        long end = ticker.nanos(); // one reading for the autoscaler's stats and the observers' latency
        record.ended(end);
        endpoint.stats().ended(end);
    }

    /** Tells the revision's observers; after {@link #release()}, which took the end time. */
    private void observe() {
        endpoint.observer().completed(record);
    }
}
