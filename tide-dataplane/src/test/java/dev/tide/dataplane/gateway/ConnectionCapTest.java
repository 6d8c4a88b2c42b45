package dev.tide.dataplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The listener's cap, with embedded channels standing for the listener and the connections it accepts. */
class ConnectionCapTest {

    private final ConnectionCap cap = new ConnectionCap(2);
    private final EmbeddedChannel listener = new EmbeddedChannel(cap);

    private EmbeddedChannel accept() {
        EmbeddedChannel child = new EmbeddedChannel();
        listener.writeInbound(child);
        return child;
    }

    @Test
    void atTheCapTheListenerStopsAcceptingAndResumesWhenOneCloses() {
        List<Channel> passed = new ArrayList<>();
        EmbeddedChannel first = accept();
        assertThat(listener.config().isAutoRead()).isTrue();
        EmbeddedChannel second = accept();
        assertThat(listener.config().isAutoRead()).as("paused at the cap").isFalse();
        EmbeddedChannel third = accept(); // accepted in the same burst: refused
        assertThat(third.isOpen()).isFalse();
        for (Object m; (m = listener.readInbound()) != null; ) {
            passed.add((Channel) m);
        }
        assertThat(passed).containsExactly(first, second);
        assertThat(cap.open()).isEqualTo(2);

        first.close();
        listener.runPendingTasks();
        assertThat(cap.open()).isEqualTo(1);
        assertThat(listener.config().isAutoRead()).as("resumed below the cap").isTrue();
        accept();
        assertThat(listener.config().isAutoRead()).isFalse();
        listener.finishAndReleaseAll();
    }
}
