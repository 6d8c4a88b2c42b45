package dev.tide.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

class FailuresTest {

    @Test
    void aMessagelessExceptionIsNamedAndItsCausesSpeak() {
        ConnectException outer = new ConnectException();
        outer.initCause(new ConnectException("Connection refused"));
        assertThat(Failures.describe(outer)).isEqualTo("could not connect (ConnectException): Connection refused");
        assertThat(Failures.describe(new ConnectException())).isEqualTo("could not connect (ConnectException)");
        assertThat(Failures.describe(new ClosedChannelException())).isEqualTo("the connection closed (ClosedChannelException)");
        assertThat(Failures.describe(new ArithmeticException())).isEqualTo("ArithmeticException");
        assertThat(Failures.describe(new IllegalStateException("model m: fetch failed", new IOException("HTTP 403 from s3"))))
                .isEqualTo("model m: fetch failed: HTTP 403 from s3");
        assertThat(Failures.describe(new UncheckedIOException(new IOException("disk full"))))
                .as("a wrapper that repeats its cause is said once").isEqualTo("java.io.IOException: disk full");
    }
}
