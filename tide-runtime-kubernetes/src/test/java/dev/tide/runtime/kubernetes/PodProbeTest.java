package dev.tide.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.testing.ManualScheduler;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Tide's own probe on frozen time: attempts run inline, the next one only when the manual clock reaches it. */
class PodProbeTest {

    private final ManualScheduler scheduler = new ManualScheduler();

    @Test
    void itTriesEvery50msThenEverySecondAndSaysOnceWhenThePortAccepts() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // free now, and nothing listens on it until the test does
        }
        AtomicInteger connected = new AtomicInteger();
        new PodProbe(scheduler, Runnable::run, "127.0.0.1", port, () -> true, connected::incrementAndGet).start();
        assertThat(connected).hasValue(0);
        assertThat(scheduler.pending()).as("the next attempt, 50 ms on").isEqualTo(1);
        scheduler.advance(java.time.Duration.ofNanos(PodProbe.EARLY_PHASE_NANOS)); // 10 s of refused attempts, 50 ms apart
        assertThat(connected).hasValue(0);
        try (ServerSocket listening = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            scheduler.advance(java.time.Duration.ofNanos(PodProbe.EARLY_NANOS));
            assertThat(connected).as("past 10 s, attempts are a second apart").hasValue(0);
            scheduler.advance(java.time.Duration.ofNanos(PodProbe.LATE_NANOS - PodProbe.EARLY_NANOS));
            assertThat(connected).hasValue(1);
            assertThat(scheduler.pending()).as("nothing more once connected").isZero();
        }
    }

    @Test
    void aProbeNoLongerWantedStops() {
        AtomicBoolean wanted = new AtomicBoolean(true);
        AtomicInteger connected = new AtomicInteger();
        new PodProbe(scheduler, Runnable::run, "127.0.0.1", 1, wanted::get, connected::incrementAndGet).start();
        wanted.set(false);
        scheduler.advance(java.time.Duration.ofNanos(PodProbe.EARLY_NANOS));
        assertThat(scheduler.pending()).isZero();
        assertThat(connected).hasValue(0);
    }
}
