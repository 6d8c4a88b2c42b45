package dev.tide.modelserver.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which protocol a connection's first bytes choose, fed a byte at a time where that matters. */
class ProtocolSnifferTest {

    private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    private String chosen;
    private final EmbeddedChannel ch = new EmbeddedChannel(new ProtocolSniffer(new ProtocolSniffer.Protocols() {
        @Override
        public void http1(ChannelHandlerContext ctx) {
            chosen = "http1";
        }

        @Override
        public void http2(ChannelHandlerContext ctx) {
            chosen = "http2";
        }
    }));

    private void feed(String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    /** What the chosen handlers were given: every byte read so far, once. */
    private String passedOn() {
        StringBuilder b = new StringBuilder();
        for (Object m; (m = ch.readInbound()) != null; ) {
            b.append(((ByteBuf) m).toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(m);
        }
        return b.toString();
    }

    @Test
    void thePrefaceByteByByteIsHttp2OnlyOnceWholeAndNothingIsLost() {
        String first = PREFACE + "\0\0\0\4\0\0\0\0\0";
        for (int i = 0; i < PREFACE.length() - 1; i++) {
            feed(first.substring(i, i + 1));
            assertThat(chosen).as("after %d bytes", i + 1).isNull();
        }
        feed(first.substring(PREFACE.length() - 1));
        assertThat(chosen).isEqualTo("http2");
        assertThat(ch.pipeline().get(ProtocolSniffer.class)).as("the sniffer leaves").isNull();
        assertThat(passedOn()).isEqualTo(first);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anHttp1RequestIsKnownByItsFirstByte() {
        feed("G");
        assertThat(chosen).isEqualTo("http1");
        feed("ET / HTTP/1.1\r\n\r\n");
        assertThat(passedOn()).isEqualTo("GET / HTTP/1.1\r\n\r\n");
    }

    @Test
    void aRequestLineThatStartsLikeThePrefaceIsHttp1WhereItDiffers() {
        feed("PRI * HTTP/");
        assertThat(chosen).isNull();
        feed("1.1\r\n\r\n");
        assertThat(chosen).isEqualTo("http1");
        assertThat(passedOn()).isEqualTo("PRI * HTTP/1.1\r\n\r\n");
    }
}
