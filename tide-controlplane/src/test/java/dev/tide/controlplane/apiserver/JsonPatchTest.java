package dev.tide.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import org.junit.jupiter.api.Test;

class JsonPatchTest {

    private static JsonNode doc() {
        return Json.parseObject("""
                {"metadata": {"name": "hello", "annotations": {"autoscaling.knative.dev/target": "10"}},
                 "spec": {"traffic": [{"percent": 100}], "a~b": 1}}""");
    }

    private static JsonNode patch(String ops) throws JsonPatch.Failed {
        try {
            return JsonPatch.apply(doc(), Json.MAPPER.readTree(ops));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void operationsApplyInOrderWithEscapedPointers() throws Exception {
        JsonNode out = patch("""
                [{"op": "replace", "path": "/metadata/annotations/autoscaling.knative.dev~1target", "value": "5"},
                 {"op": "add", "path": "/spec/traffic/-", "value": {"percent": 0, "tag": "next"}},
                 {"op": "add", "path": "/spec/traffic/0/tag", "value": "current"},
                 {"op": "copy", "from": "/metadata/name", "path": "/spec/name"},
                 {"op": "move", "from": "/spec/a~0b", "path": "/spec/moved"},
                 {"op": "test", "path": "/spec/moved", "value": 1},
                 {"op": "remove", "path": "/spec/traffic/1"}]""");
        assertThat(out.path("metadata").path("annotations").path("autoscaling.knative.dev/target").asText()).isEqualTo("5");
        assertThat(out.path("spec").path("traffic")).hasSize(1);
        assertThat(out.path("spec").path("traffic").path(0).path("tag").asText()).isEqualTo("current");
        assertThat(out.path("spec").path("name").asText()).isEqualTo("hello");
        assertThat(out.path("spec").has("a~b")).isFalse();
        assertThat(out.path("spec").path("moved").asInt()).isEqualTo(1);
        assertThat(doc().path("spec").path("traffic")).as("the target is left alone").hasSize(1);
    }

    @Test
    void aFailingOperationNamesItselfAndWhy() {
        assertThatThrownBy(() -> patch("[{\"op\": \"test\", \"path\": \"/metadata/name\", \"value\": \"other\"}]"))
                .hasMessage("operation 0 (test): the value at /metadata/name is not the one tested");
        assertThatThrownBy(() -> patch("[{\"op\": \"add\", \"path\": \"/spec/traffic/5\", \"value\": 1}]"))
                .hasMessage("operation 0 (add): index 5 is out of bounds (the array has 1)");
        assertThatThrownBy(() -> patch("[{\"op\": \"replace\", \"path\": \"/spec/nope\", \"value\": 1}]"))
                .hasMessage("operation 0 (replace): no nope in the object");
        assertThatThrownBy(() -> patch("[{\"op\": \"remove\", \"path\": \"/spec/traffic/x\"}]"))
                .hasMessage("operation 0 (remove): not an array index: x");
        assertThatThrownBy(() -> patch("[{\"op\": \"frob\", \"path\": \"/spec\"}]"))
                .hasMessage("operation 0 (frob): unknown operation; one of add, remove, replace, move, copy, test");
        assertThatThrownBy(() -> patch("[{\"op\": \"add\", \"path\": \"/spec/x\"}]")).hasMessage("operation 0 (add): missing value");
        assertThatThrownBy(() -> patch("[{\"op\": \"move\", \"from\": \"/spec\", \"path\": \"/spec/inner\"}]"))
                .hasMessage("operation 0 (move): cannot move a value into itself");
        assertThatThrownBy(() -> patch("{\"op\": \"add\"}")).hasMessage("a JSON patch is a list of operations");
    }
}
