package dev.tide.dataplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.dataplane.routing.RevisionKey;
import dev.tide.dataplane.routing.RoutingTable;
import dev.tide.testing.ManualScheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client connection's handler and its exchanges on embedded channels, with time frozen: the client speaks real
 * HTTP/1.1 bytes, and each replica connection is an embedded channel the test answers (or breaks) by hand.
 */
class GatewayHandlerTest {

    private static final String HOST = "hello.default.example.com";
    private static final ClientLimits LIMITS = new ClientLimits(Duration.ofSeconds(60), Duration.ofSeconds(75), 100, 8192, 32768);

    private final ManualScheduler scheduler = new ManualScheduler();
    private final Endpoints endpoints = new Endpoints();
    private final ScriptedBackends backends = new ScriptedBackends();
    /** containerConcurrency 1: the balancer takes the first replica by id with a free slot, so picks are known. */
    private final RevisionEndpoint endpoint = new RevisionEndpoint(new RevisionKey("default", "hello-00001"), 1, false,
            Duration.ofSeconds(30), scheduler, new SplittableRandom(1), () -> { });
    private final EmbeddedChannel client = new EmbeddedChannel();

    GatewayHandlerTest() {
        endpoints.put(endpoint);
        endpoints.setTable(RoutingTable.builder().host(HOST, List.of(new RoutingTable.Target(endpoint.key(), 100))).build());
        client.freezeTime();
        client.config().setAutoRead(false);
        client.pipeline().addLast(new HttpServerCodec(), new FlowControlHandler(),
                new GatewayHandler(endpoints, loop -> backends, scheduler.ticker(), new SplittableRandom(2), false, LIMITS));
    }

    @AfterEach
    void release() {
        client.finishAndReleaseAll();
        backends.opened.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private void replicas(String... idsAndPorts) {
        List<RevisionEndpoint.Backend> ready = new ArrayList<>();
        for (String s : idsAndPorts) {
            String[] p = s.split(":");
            ready.add(new RevisionEndpoint.Backend(p[0], Integer.parseInt(p[1])));
        }
        endpoint.setReplicas(ready);
    }

    private void send(String text) {
        client.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
        client.runPendingTasks();
    }

    /** What the client has been sent so far, as text. */
    private String answered() {
        return answered(client);
    }

    /** What a client connection has been sent so far, as text. */
    private static String answered(EmbeddedChannel client) {
        client.runPendingTasks();
        StringBuilder b = new StringBuilder();
        for (Object m; (m = client.readOutbound()) != null; ) {
            b.append(((ByteBuf) m).toString(StandardCharsets.US_ASCII));
            ReferenceCountUtil.release(m);
        }
        return b.toString();
    }

    /** What a replica's connection was sent: the head, then each part's bytes; "|END" for the body's end. */
    private static String received(EmbeddedChannel replica) {
        StringBuilder b = new StringBuilder();
        for (Object m; (m = replica.readOutbound()) != null; ) {
            if (m instanceof HttpRequest r) {
                b.append(r.method()).append(' ').append(r.uri()).append(" xff=").append(r.headers().getAll("X-Forwarded-For"));
            }
            if (m instanceof HttpContent c && c.content().isReadable()) {
                b.append('|').append(c.content().toString(StandardCharsets.US_ASCII));
            }
            if (m instanceof LastHttpContent) {
                b.append("|END");
            }
            ReferenceCountUtil.release(m);
        }
        return b.toString();
    }

    /** The replica answers 200; its body must have been handed on and released once the client has it. */
    private void ok(EmbeddedChannel replica) {
        ok(replica, client);
    }

    /** {@link #ok(EmbeddedChannel)} for the exchange of another client connection. */
    private static void ok(EmbeddedChannel replica, EmbeddedChannel client) {
        ByteBuf body = Unpooled.copiedBuffer("served", StandardCharsets.US_ASCII);
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        HttpUtil.setContentLength(r, 6);
        replica.writeInbound(r);
        client.runPendingTasks();
        assertThat(body.refCnt()).as("the response's body is released once written to the client").isZero();
    }

    private static final String POST = "POST /infer HTTP/1.1\r\nHost: " + HOST + "\r\nContent-Length: 5\r\n\r\nhello";
    private static final String GET = "GET /status HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";

    /** {@link #POST} as a replica receives it: the head once, with one X-Forwarded-For, and the whole body. */
    private static final String POST_RECEIVED = "POST /infer xff=[embedded]|hello|END";

    /** {@code replica} had the POST once, whole, and its answer reached the client. */
    private void postServedBy(EmbeddedChannel replica, String why) {
        assertThat(received(replica)).as(why).isEqualTo(POST_RECEIVED);
        ok(replica);
        assertThat(answered()).startsWith("HTTP/1.1 200 OK").endsWith("served");
    }

    @Test
    void aRequestToAReplicaThatRefusesConnectionsGoesToAnotherAndTheRefuserLeavesRouting() {
        replicas("a:1", "b:2");
        backends.refuse(1);
        send(POST);
        assertThat(backends.attempts).as("a refused, then b").containsExactly(1, 2);
        EmbeddedChannel b = backends.opened.getFirst();
        postServedBy(b, "b had it once");
        assertThat(endpoint.readyReplicas()).as("a is out of routing").isEqualTo(1);
        assertThat(endpoint.gate().capacity()).isEqualTo(1);
    }

    @Test
    void aRefuserRoutesAgainWhenTheRuntimeListsItAfterARestartOrWhenItsEjectionEnds() {
        replicas("a:1", "b:2");
        backends.refuse(1);
        send(GET);
        ok(backends.opened.getFirst());
        answered();
        replicas("a:1", "b:2");
        assertThat(endpoint.readyReplicas()).as("still listed, not yet readmitted").isEqualTo(1);
        scheduler.advance(RevisionEndpoint.EJECTION);
        assertThat(endpoint.readyReplicas()).as("readmitted after the ejection").isEqualTo(2);
        backends.refuse(1);
        send(GET);
        ok(backends.opened.get(1));
        answered();
        replicas("b:2");
        replicas("a:1", "b:2");
        assertThat(endpoint.readyReplicas()).as("left and came back: routed at once").isEqualTo(2);
    }

    @Test
    void whenTheOnlyReplicaRefusesTheRequestWaitsForItToComeBackInsteadOfFailing() {
        replicas("a:1");
        backends.refuse(1);
        send(POST);
        assertThat(answered()).as("no answer yet: the request waits at the gate").isEmpty();
        assertThat(endpoint.waiting()).isEqualTo(1);
        replicas(); // the runtime saw it exit
        replicas("a:1"); // and ready again after its restart
        client.runPendingTasks();
        EmbeddedChannel a = backends.opened.getFirst();
        postServedBy(a, "a, back, had it once");
    }

    @Test
    void aPostWhoseConnectionDropsAfterItsBodyWentOutGets502AndIsNotSentTwice() {
        replicas("a:1", "b:2");
        send(POST);
        EmbeddedChannel a = backends.opened.getFirst();
        assertThat(received(a)).isEqualTo(POST_RECEIVED);
        a.close();
        client.runPendingTasks();
        assertThat(answered()).startsWith("HTTP/1.1 502 Bad Gateway").contains("upstream closed the connection before responding");
        assertThat(backends.attempts).as("no second try").containsExactly(1);
    }

    @Test
    void aGetWhoseConnectionDropsBeforeAnyResponseIsTriedAgain() {
        replicas("a:1", "b:2");
        send(GET);
        EmbeddedChannel first = backends.opened.getFirst();
        assertThat(received(first)).isEqualTo("GET /status xff=[embedded]|END");
        first.close();
        client.runPendingTasks();
        EmbeddedChannel second = backends.opened.get(1);
        assertThat(received(second)).as("the same head, not prepared twice, and its own end").isEqualTo("GET /status xff=[embedded]|END");
        ok(second);
        assertThat(answered()).startsWith("HTTP/1.1 200 OK");
        assertThat(endpoint.readyReplicas()).as("a lost connection is no reason to eject").isEqualTo(2);
    }

    @Test
    void aPostWhoseHeadTheConnectionRefusesIsSentWholeOnANewConnection() {
        replicas("a:1");
        backends.breakOnWrite(1);
        send(POST);
        assertThat(backends.attempts).containsExactly(1, 1);
        EmbeddedChannel second = backends.opened.getFirst(); // the broken one is not kept
        postServedBy(second, "the new connection had it once");
    }

    @Test
    void aPostWhoseHeadAndBodyFailTogetherOnABrokenConnectionIsSentWholeAgain() {
        replicas("a:1", "b:2");
        backends.breakOnFlush(1);
        send(POST);
        assertThat(backends.attempts).as("the next try goes to a replica not tried yet").containsExactly(1, 2);
        EmbeddedChannel fresh = backends.opened.getLast();
        postServedBy(fresh, "the kept body, whole, once");
        assertThat(endpoint.readyReplicas()).as("a broken connection is no reason to eject").isEqualTo(2);
    }

    @Test
    void aRetryGoesToAReplicaNotTriedYetThoughTheFailedOneIsFirstInLine() {
        replicas("a:1", "b:2", "c:3");
        backends.breakOnWrite(1); // a's pooled connections all died with it; first available would pick a each time
        backends.breakOnWrite(1);
        backends.breakOnWrite(1);
        send(GET);
        assertThat(backends.attempts).containsExactly(1, 2);
        ok(backends.opened.getFirst());
        assertThat(answered()).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    void aRetryGoesBackToTheFailedReplicaWhenNoOtherHasAFreeSlot() {
        replicas("a:1", "b:2");
        send(GET); // takes a's one slot
        EmbeddedChannel busyA = backends.opened.getFirst();
        backends.breakOnWrite(2);
        EmbeddedChannel other = new EmbeddedChannel(new HttpServerCodec(), new FlowControlHandler(),
                new GatewayHandler(endpoints, loop -> backends, scheduler.ticker(), new SplittableRandom(3), false, LIMITS));
        other.freezeTime();
        other.writeInbound(Unpooled.copiedBuffer(GET, StandardCharsets.US_ASCII));
        other.runPendingTasks();
        assertThat(backends.attempts).as("b's connection breaks; a is full, so the retry takes b again").containsExactly(1, 2, 2);
        EmbeddedChannel freshB = backends.opened.getLast();
        assertThat(received(freshB)).isEqualTo("GET /status xff=[embedded]|END");
        ok(freshB, other);
        assertThat(answered(other)).startsWith("HTTP/1.1 200 OK");
        ok(busyA);
        other.finishAndReleaseAll();
    }

    @Test
    void triesAreBoundedAndThenTheClientGets502() {
        replicas("a:1", "b:2", "c:3", "d:4");
        backends.refuse(1);
        backends.refuse(2);
        backends.refuse(3);
        send(POST);
        assertThat(backends.attempts).containsExactly(1, 2, 3);
        assertThat(answered()).startsWith("HTTP/1.1 502 Bad Gateway").contains("upstream connect error: Connection refused");
        assertThat(endpoint.gate().inFlight()).as("the permit is back").isZero();
    }

    @Test
    void aRequestThatWaitsPastItsTimeoutAfterARefusalGets504() {
        replicas("a:1");
        backends.refuse(1);
        send(GET);
        client.advanceTimeBy(30, java.util.concurrent.TimeUnit.SECONDS);
        client.runScheduledPendingTasks();
        assertThat(answered()).startsWith("HTTP/1.1 504 Gateway Timeout");
    }

    /** Replica connections as the test scripts them: by port, refused, breaking on the first write, or fine. */
    @Test
    void aResponseHeadAndThePartThatCameWithItReachTheClientInOneFlushAndLaterPartsAsTheyCome() {
        FlushCounter flushes = new FlushCounter();
        client.pipeline().addFirst(flushes);
        replicas("a:1");
        send(GET);
        EmbeddedChannel a = backends.opened.getFirst();
        received(a);
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(head, true);
        a.writeInbound(head, new DefaultHttpContent(Unpooled.copiedBuffer("tok1", StandardCharsets.US_ASCII)));
        assertThat(flushes.count).as("the head and its part, read together, go out together").isEqualTo(1);
        assertThat(answered()).startsWith("HTTP/1.1 200 OK").endsWith("4\r\ntok1\r\n");
        a.writeInbound(new DefaultHttpContent(Unpooled.copiedBuffer("tok2", StandardCharsets.US_ASCII)));
        assertThat(flushes.count).as("a streamed part is not held for the next").isEqualTo(2);
        assertThat(answered()).isEqualTo("4\r\ntok2\r\n");
        a.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(answered()).isEqualTo("0\r\n\r\n");
    }

    @Test
    void aReplicaPausedForAFullClientBufferIsReadAgainWhenFlushingEmptiedIt() {
        client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        replicas("a:1");
        send(GET);
        EmbeddedChannel a = backends.opened.getFirst();
        received(a);
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(head, true);
        // The first part passes the 16-byte mark, so the second finds the client's buffer full. An embedded channel's
        // flush hands everything over at once, so the client has room again right after it, as a fast reader's
        // socket does.
        a.writeInbound(head);
        a.writeInbound(new DefaultHttpContent(Unpooled.copiedBuffer("part one, past the mark", StandardCharsets.US_ASCII)),
                new DefaultHttpContent(Unpooled.copiedBuffer("part two", StandardCharsets.US_ASCII)));
        assertThat(client.isWritable()).isTrue();
        assertThat(a.config().isAutoRead()).as("a replica is not left paused for a client that has room").isTrue();
        assertThat(answered()).startsWith("HTTP/1.1 200 OK").endsWith("8\r\npart two\r\n");
        a.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(answered()).isEqualTo("0\r\n\r\n");
    }

    private static final class ScriptedBackends implements Backends {
        final Map<Integer, Deque<String>> script = new HashMap<>();
        final List<Integer> attempts = new ArrayList<>();
        final List<EmbeddedChannel> opened = new ArrayList<>();

        void refuse(int port) {
            script.computeIfAbsent(port, p -> new ArrayDeque<>()).add("refuse");
        }

        void breakOnFlush(int port) {
            script.computeIfAbsent(port, p -> new ArrayDeque<>()).add("flush");
        }

        void breakOnWrite(int port) {
            script.computeIfAbsent(port, p -> new ArrayDeque<>()).add("break");
        }

        @Override
        public Future<Channel> acquire(long address) {
            int port = ReplicaAddress.port(address);
            attempts.add(port);
            String next = script.getOrDefault(port, new ArrayDeque<>()).poll();
            if ("refuse".equals(next)) {
                return ImmediateEventExecutor.INSTANCE.newFailedFuture(new ConnectException("Connection refused"));
            }
            EmbeddedChannel c = switch (next == null ? "" : next) {
                case "break" -> new EmbeddedChannel(new BackendHandler(), new BreakOnWrite());
                case "flush" -> new EmbeddedChannel(new BackendHandler(), new BreakOnFlush());
                default -> new EmbeddedChannel(new BackendHandler());
            };
            if (next == null) {
                opened.add(c);
            }
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(c);
        }

        @Override
        public Future<Channel> openStream(long address) {
            throw new UnsupportedOperationException("HTTP/1.1 replicas only");
        }

        @Override
        public void release(long address, Channel c) {
            // kept by the test: nothing to pool
        }
    }

    /**
     * A connection the replica has reset, as the kernel finds it when it sends: writes queue, and the flush fails
     * them all together, head and body, as a failed {@code writev} does.
     */
    private static final class BreakOnFlush extends ChannelOutboundHandlerAdapter {
        private final List<Object> queued = new ArrayList<>();
        private final List<ChannelPromise> promises = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            queued.add(msg);
            promises.add(promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            queued.forEach(ReferenceCountUtil::release);
            queued.clear();
            promises.forEach(p -> p.tryFailure(new java.io.IOException("Connection reset by peer")));
            promises.clear();
            ctx.close();
        }
    }

    /** A connection the replica has closed: the first write fails, as writing to a reset socket does. */
    private static final class BreakOnWrite extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new ClosedChannelException());
            ctx.close();
        }
    }

    /** Counts the flushes that reach the connection. */
    private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            count++;
            ctx.flush();
        }
    }
}
