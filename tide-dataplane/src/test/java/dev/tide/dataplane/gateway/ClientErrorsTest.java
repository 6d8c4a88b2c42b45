package dev.tide.dataplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.testing.ManualClock;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientErrorsTest {

    private final ManualClock clock = new ManualClock();
    private final List<String> lines = new ArrayList<>();
    private final ClientErrors errors = new ClientErrors(clock, lines::add);

    private EmbeddedChannel failWith(Throwable cause) {
        EmbeddedChannel ch = new EmbeddedChannel(errors);
        ch.pipeline().fireExceptionCaught(cause);
        return ch;
    }

    @Test
    void aFloodOfOneKindIsOneLinePerIntervalAndEveryConnectionCloses() {
        List<EmbeddedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            channels.add(failWith(Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
                    "First received frame was not SETTINGS. Hex dump for first 5 bytes: 0000100900\nmore")));
        }
        assertThat(channels).allMatch(ch -> !ch.isOpen());
        assertThat(lines).singleElement().asString()
                .isEqualTo("ingress: closed a client connection from embedded on Http2Exception: First received frame was not SETTINGS."
                        + " Hex dump for first 5 bytes: 0000100900");
        clock.advance(Duration.ofSeconds(59));
        failWith(new Http2Exception(Http2Error.PROTOCOL_ERROR, "again"));
        assertThat(lines).as("still inside the interval").hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        failWith(new Http2Exception(Http2Error.PROTOCOL_ERROR, "later"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).endsWith("later (and 1000 more of this kind not logged in the last 60 s)");
    }

    @Test
    void eachKindHasItsOwnInterval() {
        failWith(new Http2Exception(Http2Error.PROTOCOL_ERROR, "garbage"));
        failWith(new IOException("Connection reset by peer"));
        failWith(new IOException("Connection reset by peer"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).endsWith("on IOException: Connection reset by peer");
    }
}
