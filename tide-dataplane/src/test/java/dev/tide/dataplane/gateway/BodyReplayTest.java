package dev.tide.dataplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BodyReplayTest {

    private static HttpContent part(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    @Test
    void aSmallBodyIsKeptAndEachReplayIsAFreshCopyOfItsParts() {
        BodyReplay replay = new BodyReplay();
        HttpContent first = part("hel");
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("lo", StandardCharsets.US_ASCII));
        last.trailingHeaders().set("x-check", "1");
        replay.given(first);
        replay.given(last);
        first.content().skipBytes(3); // written to the failed try: its reader index moved, the kept one's did not
        first.release();
        last.release();
        assertThat(replay.whole()).isTrue();
        for (int round = 0; round < 2; round++) {
            List<HttpContent> parts = replay.parts();
            assertThat(parts).hasSize(2);
            assertThat(parts.get(0).content().toString(StandardCharsets.US_ASCII)).isEqualTo("hel");
            assertThat(parts.get(1)).isInstanceOf(LastHttpContent.class);
            assertThat(((LastHttpContent) parts.get(1)).trailingHeaders().get("x-check")).isEqualTo("1");
            parts.forEach(HttpContent::release); // as a write does
        }
        replay.close();
        assertThat(first.refCnt()).as("closing lets the client's buffers go").isZero();
        assertThat(last.refCnt()).isZero();
        assertThat(replay.parts()).isEmpty();
    }

    @Test
    void aBodyPastTheLimitIsNotKeptAndCannotBeSentAgain() {
        BodyReplay replay = new BodyReplay();
        HttpContent small = part("x".repeat(1024));
        HttpContent big = part("y".repeat(BodyReplay.LIMIT));
        replay.given(small);
        assertThat(replay.whole()).isTrue();
        replay.given(big);
        assertThat(replay.whole()).as("1 KiB + 64 KiB is past 64 KiB").isFalse();
        assertThat(replay.parts()).isEmpty();
        small.release();
        big.release();
        assertThat(small.refCnt()).as("what was kept is let go at once").isZero();
        assertThat(big.refCnt()).isZero();
    }

    @Test
    void nothingIsKeptOnceNoTryCanFollow() {
        BodyReplay replay = new BodyReplay();
        replay.close();
        HttpContent p = part("late");
        replay.given(p);
        p.release();
        assertThat(p.refCnt()).isZero();
        assertThat(replay.whole()).isFalse();
    }
}
