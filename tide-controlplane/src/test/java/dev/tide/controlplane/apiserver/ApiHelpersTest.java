package dev.tide.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.api.Json;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ApiHelpersTest {

    record Patch(String name, String target, String patch, String want) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Patch> patches() {
        // Examples from RFC 7386, appendix A, and kubectl's apply patches.
        return Stream.of(
                new Patch("replace", "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"),
                new Patch("add", "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"),
                new Patch("remove", "{\"a\":\"b\"}", "{\"a\":null}", "{}"),
                new Patch("nested remove", "{\"a\":{\"b\":\"c\",\"d\":1}}", "{\"a\":{\"b\":null}}", "{\"a\":{\"d\":1}}"),
                new Patch("arrays replace", "{\"a\":[1,2]}", "{\"a\":[3]}", "{\"a\":[3]}"),
                new Patch("object over scalar", "{\"a\":\"foo\"}", "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"c\"}}"),
                new Patch("kubectl drops labels", "{\"metadata\":{\"labels\":{\"x\":\"y\"},\"name\":\"n\"}}",
                        "{\"metadata\":{\"labels\":null}}", "{\"metadata\":{\"name\":\"n\"}}"));
    }

    @ParameterizedTest
    @MethodSource("patches")
    void mergePatchFollowsRfc7386(Patch p) {
        assertThat(MergePatch.apply(Json.parseObject(p.target()), Json.parseObject(p.patch())).toString()).isEqualTo(p.want());
    }

    @Test
    void strategicDirectivesAreDropped() {
        assertThat(MergePatch.withoutDirectives(Json.parseObject("{\"$patch\":\"x\",\"data\":{\"$retainKeys\":[],\"k\":\"v\"}}")).toString())
                .isEqualTo("{\"data\":{\"k\":\"v\"}}");
    }

    record Age(Duration d, String want) {
        @Override
        public String toString() {
            return want;
        }
    }

    static Stream<Age> ages() {
        return Stream.of(new Age(Duration.ofSeconds(5), "5s"), new Age(Duration.ofSeconds(119), "119s"),
                new Age(Duration.ofSeconds(190), "3m10s"), new Age(Duration.ofMinutes(4), "4m"), new Age(Duration.ofMinutes(150), "150m"),
                new Age(Duration.ofHours(5), "5h"), new Age(Duration.ofMinutes(5 * 60 + 7), "5h7m"), new Age(Duration.ofHours(30), "30h"),
                new Age(Duration.ofDays(3).plusHours(2), "3d2h"), new Age(Duration.ofDays(12), "12d"), new Age(Duration.ofDays(800), "2y70d"),
                new Age(Duration.ofDays(365 * 9), "9y"), new Age(Duration.ofMillis(-500), "0s"));
    }

    @ParameterizedTest
    @MethodSource("ages")
    void agesReadLikeKubectl(Age a) {
        assertThat(HumanDuration.format(a.d())).isEqualTo(a.want());
    }
}
