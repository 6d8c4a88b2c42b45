package dev.tide.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LabelSelectorTest {

    private static final Map<String, String> LABELS = Map.of("app", "web", "tier", "gpu", "serving.knative.dev/service", "hello", "n", "5");

    record Case(String name, String selector, boolean matches) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> matching() {
        return Stream.of(
                new Case("empty", "", true),
                new Case("equality", "app=web", true),
                new Case("double equals", "app==web", true),
                new Case("inequality", "app!=web", false),
                new Case("inequality of a missing key", "missing!=x", true),
                new Case("exists", "tier", true),
                new Case("not exists", "!tier", false),
                new Case("prefixed key", "serving.knative.dev/service=hello", true),
                new Case("in", "tier in (cpu,gpu)", true),
                new Case("notin", "tier notin (cpu,gpu)", false),
                new Case("notin of a missing key", "zone notin (a)", true),
                new Case("commas inside parentheses", "tier in (cpu, gpu),app=web", true),
                new Case("all must hold", "app=web,tier=cpu", false),
                new Case("greater than", "n>4", true),
                new Case("less than", "n<4", false),
                new Case("spaces", " app = web ", true));
    }

    @ParameterizedTest
    @MethodSource("matching")
    void matchesAsKubernetes(Case c) {
        assertThat(LabelSelector.parse(c.selector()).test(LABELS)).isEqualTo(c.matches());
    }

    static Stream<String> malformed() {
        return Stream.of("app=we b", "-app=web", "app in (a b)", "app in a", "n>x", "=web", "a=b=c", "app=" + "x".repeat(64), "!");
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedIsAnErrorNotEverything(String selector) {
        assertThatThrownBy(() -> LabelSelector.parse(selector)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unable to parse requirement: ").hasMessageContaining("labelSelector \"" + selector + "\"");
    }
}
