package dev.tide.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.config.ClusterConfig;
import dev.tide.common.validation.ValidationException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a Kubernetes API refuses before any kind's own rules: unknown fields, wrong types, out-of-range integers, bad metadata. */
class StrictAdmissionTest {

    private static final ClusterConfig CONFIG = ClusterConfig.defaults("example.com");

    private static ObjectNode json(String text) {
        return Json.parseObject(text);
    }

    private static String service(String templateSpecExtra, String metadataExtra) {
        return """
                {"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"hello"%s},
                 "spec":{"template":{"spec":{%s"containers":[{"image":"example.com/hello","command":["x"]}]}}}}"""
                .formatted(metadataExtra, templateSpecExtra);
    }

    @Test
    void unknownFieldsAreErrorsUnderStrictNamingEveryPath() {
        ObjectNode o = json("""
                {"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"hello","colour":"red"},
                 "spec":{"replicas":3,"template":{"spec":{"containers":[{"image":"x","comand":["sh"]}]}}}}""");
        assertThatThrownBy(() -> Admission.admit(ResourceTypes.SERVICE, o, CONFIG, FieldValidation.STRICT))
                .isInstanceOf(FieldValidation.UnknownFields.class)
                .hasMessage("Service in version \"v1\" cannot be handled as a Service: strict decoding error: unknown field "
                        + "\"metadata.colour\", unknown field \"spec.replicas\", unknown field \"spec.template.spec.containers[0].comand\"");
    }

    @Test
    void unknownFieldsAreDroppedWithAWarningUnderWarnAndSilentlyUnderIgnore() {
        String text = service("\"nodeSelectr\":{\"a\":\"b\"},", "");
        Admission.Admitted warned = Admission.admit(ResourceTypes.SERVICE, json(text), CONFIG, FieldValidation.WARN);
        assertThat(warned.warnings()).contains("unknown field \"spec.template.spec.nodeSelectr\"");
        assertThat(warned.object().path("spec").path("template").path("spec").has("nodeSelectr")).as("dropped, as Kubernetes prunes").isFalse();
        Admission.Admitted ignored = Admission.admit(ResourceTypes.SERVICE, json(text), CONFIG, FieldValidation.IGNORE);
        assertThat(ignored.warnings()).noneMatch(w -> w.contains("nodeSelectr"));
        assertThat(ignored.object().path("spec").path("template").path("spec").has("nodeSelectr")).isFalse();
    }

    @Test
    void everyServedExampleAndSeedHasOnlyKnownFields() throws Exception {
        java.nio.file.Path examples = java.nio.file.Path.of("..", "examples");
        int checked = 0;
        try (var files = java.nio.file.Files.walk(examples)) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".yaml") && !p.toString().contains("unserved")).toList()) {
                for (ObjectNode o : Manifests.parse(java.nio.file.Files.readString(f), f.toString())) {
                    var type = ResourceTypes.byApiVersionAndKind(Meta.apiVersion(o), Meta.kind(o));
                    if (type.isPresent()) {
                        Admission.admit(type.get(), o, CONFIG, FieldValidation.STRICT);
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(10);
    }

    record Case(String name, String json, List<String> want) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> refused() {
        return Stream.of(
                new Case("containerConcurrency past int64", service("\"containerConcurrency\":18446744073709551616,", ""),
                        List.of("invalid value: 18446744073709551616: spec.template.spec.containerConcurrency")),
                new Case("a float where an integer goes", service("\"timeoutSeconds\":1.5,", ""),
                        List.of("invalid value: 1.5: spec.template.spec.timeoutSeconds")),
                new Case("a string where an integer goes", service("\"containerConcurrency\":\"5\",", ""),
                        List.of("invalid value: 5: spec.template.spec.containerConcurrency")),
                new Case("a port past int32", service("", "").replace("\"command\":[\"x\"]", "\"command\":[\"x\"],\"ports\":[{\"containerPort\":4294967296}]"),
                        List.of("invalid value: 4294967296: spec.template.spec.containers[0].ports[0].containerPort")),
                new Case("an object-valued annotation", service("", ",\"annotations\":{\"a\":{\"b\":1}}"),
                        List.of("invalid value: {\"b\":1}: metadata.annotations[a]")),
                new Case("a list-valued label", service("", ",\"labels\":{\"a\":[\"x\"]}"),
                        List.of("invalid value: [\"x\"]: metadata.labels[a]")),
                new Case("a label value with a space", service("", ",\"labels\":{\"a\":\"x y\"}"),
                        List.of("invalid value: x y: metadata.labels[a]")),
                new Case("a label key with two slashes", service("", ",\"labels\":{\"a/b/c\":\"x\"}"),
                        List.of("invalid value: a/b/c: metadata.labels")),
                new Case("annotations over 256 KiB", service("", ",\"annotations\":{\"big\":\"" + "x".repeat(256 * 1024) + "\"}"),
                        List.of("may not have more than 262144 bytes (has 262147): metadata.annotations")),
                new Case("a command that is not a list", service("", "").replace("[\"x\"]", "\"x\""),
                        List.of("invalid value: x: spec.template.spec.containers[0].command")));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void refusedWithThePathAndTheRule(Case c) {
        ObjectNode o = json(c.json());
        assertThatThrownBy(() -> Admission.admit(ResourceTypes.SERVICE, o, CONFIG, FieldValidation.STRICT))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors().stream()
                        .map(f -> f.message() + ": " + f.path()).toList()).isEqualTo(c.want()));
    }

    @Test
    void numbersInLabelsAreStoredAsTextWithAWarningAsBefore() {
        Admission.Admitted a = Admission.admit(ResourceTypes.SERVICE, json(service("", ",\"annotations\":{\"autoscaling.knative.dev/target\":10}")),
                CONFIG, FieldValidation.STRICT);
        assertThat(a.object().path("metadata").path("annotations").path("autoscaling.knative.dev/target").asText()).isEqualTo("10");
        assertThat(a.warnings()).anyMatch(w -> w.contains("is not a string"));
    }

    @Test
    void fieldValidationIsParsedAsKubernetesNamesIt() {
        assertThat(FieldValidation.parse(null)).isEqualTo(FieldValidation.WARN);
        assertThat(FieldValidation.parse("Strict")).isEqualTo(FieldValidation.STRICT);
        assertThatThrownBy(() -> FieldValidation.parse("strict")).hasMessage("fieldValidation: strict (expected: one of [Strict, Warn, Ignore])");
    }

    @Test
    void yamlAliasesAreResolvedAndExpansionIsBounded() {
        ObjectNode o = Manifests.parse("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c}
                data:
                  a: &greeting hello
                  b: *greeting
                  when: 2026-01-01T00:00:00Z
                """, "aliases.yaml").get(0);
        assertThat(o.path("data").path("b").asText()).isEqualTo("hello");
        assertThat(o.path("data").path("when").isTextual()).as("timestamps stay text, as in Kubernetes").isTrue();
        StringBuilder laughs = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            laughs.append(c).append(": &").append(c).append(" [").append(String.join(",", java.util.Collections.nCopies(9, "*" + (char) (c - 1))))
                    .append("]\n");
        }
        assertThatThrownBy(() -> Manifests.parse(laughs.toString(), "laughs.yaml")).hasMessageContaining("laughs.yaml: not valid YAML")
                .hasMessageContaining("aliases");
        assertThatThrownBy(() -> Manifests.parse("a: 1\na: 2\n", "dup.yaml")).hasMessageContaining("dup.yaml: not valid YAML")
                .hasMessageContaining("duplicate key a");
    }
}
