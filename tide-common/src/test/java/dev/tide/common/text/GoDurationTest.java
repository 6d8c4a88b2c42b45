package dev.tide.common.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class GoDurationTest {

    record Case(String name, String text, Duration want, String printed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> valid() {
        return Stream.of(
                new Case("seconds", "60s", Duration.ofSeconds(60), "1m0s"),
                new Case("minutes", "5m", Duration.ofMinutes(5), "5m0s"),
                new Case("mixed", "2m3s", Duration.ofSeconds(123), "2m3s"),
                new Case("millis", "61984ms", Duration.ofMillis(61984), "1m1.984s"),
                new Case("bare zero", "0", Duration.ZERO, "0s"),
                new Case("fraction", "1.5h", Duration.ofMinutes(90), "1h30m0s"),
                new Case("hour", "1h", Duration.ofHours(1), "1h0m0s"),
                new Case("sub-second", "250ms", Duration.ofMillis(250), "250ms"),
                new Case("negative", "-3s", Duration.ofSeconds(-3), "-3s"));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void parsesAndPrintsLikeGo(Case c) {
        assertThat(GoDuration.parse(c.text())).isEqualTo(c.want());
        assertThat(GoDuration.format(c.want())).isEqualTo(c.printed());
    }

    static Stream<String> invalid() {
        return Stream.of("", "5", "s", "5x", "1..5s", "abc", "-");
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void rejectsWhatGoRejects(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duration");
    }
}
