package dev.tide.dataplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The head and keep-alive timeouts on a connection whose clock stands still until the test moves it. */
class ClientTimeoutsTest {

    private static final ClientLimits LIMITS = new ClientLimits(Duration.ofSeconds(60), Duration.ofSeconds(75), 100, 8192, 32768);

    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final ClientTimeouts timeouts = new ClientTimeouts(LIMITS);

    ClientTimeoutsTest() {
        ch.freezeTime();
    }

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    private void http1() {
        ch.pipeline().addLast(timeouts.bytes(), new HttpServerCodec(), timeouts.messages());
    }

    private void send(String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    private void advance(int seconds) {
        ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
    }

    /** Everything written to the client so far, as text. */
    private String written() {
        StringBuilder b = new StringBuilder();
        for (Object m; (m = ch.readOutbound()) != null; ) {
            b.append(((ByteBuf) m).toString(StandardCharsets.US_ASCII));
            ReferenceCountUtil.release(m);
        }
        return b.toString();
    }

    private HttpRequest head() {
        Object m = ch.readInbound();
        assertThat(m).isInstanceOf(HttpRequest.class);
        for (Object rest; (rest = ch.readInbound()) != null; ) {
            ReferenceCountUtil.release(rest);
        }
        return (HttpRequest) m;
    }

    private void respond(HttpResponseStatus status) {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        HttpUtil.setContentLength(r, 0);
        ch.writeOutbound(r);
    }

    @Test
    void aHeadThatStopsHalfWayGets408AtTheTimeoutAndTheConnectionCloses() {
        http1();
        send("GET / HTTP/1.1\r\nHost: a\r\n");
        advance(59);
        assertThat(ch.isOpen()).isTrue();
        assertThat(written()).isEmpty();
        advance(1);
        assertThat(written()).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("connection: close")
                .contains("content-length: 41\r\n").endsWith("\r\n\r\nthe request head took too long to arrive\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedSilently() {
        http1();
        advance(60);
        assertThat(ch.isOpen()).isFalse();
        assertThat(written()).isEmpty();
    }

    @Test
    void aKeepAliveConnectionIsClosedAfterTheIdleTimeoutAndANewHeadHasItsOwnDeadline() {
        http1();
        send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        head();
        advance(600); // a request in progress: its revision's timeout applies, not these
        assertThat(ch.isOpen()).isTrue();
        respond(HttpResponseStatus.OK);
        written();
        advance(74);
        assertThat(ch.isOpen()).isTrue();
        send("GET /next HTTP/1.1\r\n"); // the next head begins: 60 s from here, whatever the idle timer said
        advance(59);
        assertThat(ch.isOpen()).isTrue();
        advance(1);
        assertThat(written()).startsWith("HTTP/1.1 408");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void anIdleKeepAliveConnectionClosesWithoutAnAnswer() {
        http1();
        send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        head();
        respond(HttpResponseStatus.OK);
        written();
        advance(74);
        assertThat(ch.isOpen()).isTrue();
        advance(1);
        assertThat(ch.isOpen()).isFalse();
        assertThat(written()).isEmpty();
    }

    @Test
    void aContinueIsNotTheEndOfTheResponseNorIsTheFirstOfTwoPipelinedOnes() {
        http1();
        send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        head();
        respond(HttpResponseStatus.CONTINUE);
        respond(HttpResponseStatus.OK);
        advance(600);
        assertThat(ch.isOpen()).as("the second request is still being answered").isTrue();
        respond(HttpResponseStatus.OK);
        advance(75);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aHalfCloseWithNoRequestOpenClosesAndOneWithARequestOpenIsPassedOn() {
        http1();
        send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        head();
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(ch.isOpen()).as("the request in progress is answered first").isTrue();
        respond(HttpResponseStatus.OK);
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void anHttp2ConnectionClosesOnceNothingMovedForTheIdleTimeout() {
        ch.pipeline().addLast(timeouts.bytes());
        timeouts.http2();
        advance(70);
        send("frame"); // traffic: the connection lives another period
        ReferenceCountUtil.release(ch.readInbound());
        advance(75);
        assertThat(ch.isOpen()).isTrue();
        advance(75);
        assertThat(ch.isOpen()).isFalse();
    }
}
