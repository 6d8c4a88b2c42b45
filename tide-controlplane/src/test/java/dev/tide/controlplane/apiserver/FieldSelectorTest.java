package dev.tide.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.api.ResourceTypes;
import org.junit.jupiter.api.Test;

class FieldSelectorTest {

    private static JsonNode event(String kind, String name, String type) throws Exception {
        return Json.MAPPER.readTree("{\"metadata\":{\"name\":\"e1\",\"namespace\":\"ns\"},\"involvedObject\":{\"kind\":\"" + kind
                + "\",\"name\":\"" + name + "\",\"namespace\":\"ns\",\"uid\":\"u\"},\"type\":\"" + type
                + "\",\"reason\":\"ScaledUp\",\"source\":{\"component\":\"tide-autoscaler\"}}");
    }

    @Test
    void describeSelectorsPickAnObjectsEvents() throws Exception {
        var p = FieldSelector.parse(ResourceTypes.EVENT,
                "involvedObject.name=hello-00001,involvedObject.namespace=ns,involvedObject.kind=Revision,involvedObject.uid=u");
        assertThat(p.test(event("Revision", "hello-00001", "Normal"))).isTrue();
        assertThat(p.test(event("Revision", "hello-00002", "Normal"))).isFalse();
        assertThat(p.test(event("Route", "hello-00001", "Normal"))).isFalse();
    }

    @Test
    void inequalityAndDoubleEqualsAndSource() throws Exception {
        assertThat(FieldSelector.parse(ResourceTypes.EVENT, "type!=Normal").test(event("Revision", "a", "Warning"))).isTrue();
        assertThat(FieldSelector.parse(ResourceTypes.EVENT, "type!=Normal").test(event("Revision", "a", "Normal"))).isFalse();
        assertThat(FieldSelector.parse(ResourceTypes.EVENT, "reason==ScaledUp,source=tide-autoscaler").test(event("Revision", "a", "Normal")))
                .isTrue();
        assertThat(FieldSelector.parse(ResourceTypes.SERVICE, "metadata.name=e1").test(event("Revision", "a", "Normal"))).isTrue();
        assertThat(FieldSelector.parse(ResourceTypes.SERVICE, null).test(event("Revision", "a", "Normal"))).isTrue();
    }

    @Test
    void unsupportedFieldsAreRefusedAsKubernetesDoes() {
        assertThatThrownBy(() -> FieldSelector.parse(ResourceTypes.SERVICE, "involvedObject.name=x"))
                .hasMessage("field label not supported: involvedObject.name");
        assertThatThrownBy(() -> FieldSelector.parse(ResourceTypes.EVENT, "spec.x=1")).hasMessage("field label not supported: spec.x");
        assertThatThrownBy(() -> FieldSelector.parse(ResourceTypes.EVENT, "type")).hasMessage("invalid field selector: type");
    }
}
