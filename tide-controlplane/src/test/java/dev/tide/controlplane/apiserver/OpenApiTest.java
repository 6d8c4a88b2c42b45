package dev.tide.controlplane.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.api.ResourceTypes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenApiTest {

    private final OpenApi openApi = new OpenApi();

    private JsonNode doc(String path) {
        return Json.parseObject(new String(openApi.document(path).body(), StandardCharsets.UTF_8));
    }

    @Test
    void theRootListsOneDocumentPerGroupVersionByHash() {
        JsonNode root = Json.parseObject(new String(openApi.root(), StandardCharsets.UTF_8));
        assertThat(root.path("paths").path("apis/serving.knative.dev/v1").path("serverRelativeURL").asText())
                .isEqualTo("/openapi/v3/apis/serving.knative.dev/v1?hash=" + openApi.document("apis/serving.knative.dev/v1").hash());
        assertThat(root.path("paths").has("apis/serving.kserve.io/v1beta1")).isTrue();
        assertThat(root.path("paths").has("api/v1")).isTrue();
        assertThat(openApi.document("apis/example.com/v1")).isNull();
    }

    @Test
    void aKindsSchemaIsTaggedAndTypedAndItsPathTakesFieldValidation() {
        JsonNode doc = doc("apis/serving.knative.dev/v1");
        JsonNode service = doc.path("components").path("schemas").path(OpenApi.schemaId(ResourceTypes.SERVICE));
        assertThat(OpenApi.schemaId(ResourceTypes.SERVICE)).isEqualTo("dev.knative.serving.v1.Service");
        assertThat(service.path("x-kubernetes-group-version-kind").path(0).path("kind").asText()).isEqualTo("Service");
        JsonNode cc = service.at("/properties/spec/properties/template/properties/spec/properties/containerConcurrency");
        assertThat(cc.path("type").asText()).isEqualTo("integer");
        assertThat(cc.path("format").asText()).isEqualTo("int64");
        assertThat(cc.path("description").asText()).startsWith("The most requests one replica is given at once");
        JsonNode containers = service.at("/properties/spec/properties/template/properties/spec/properties/containers");
        assertThat(containers.path("type").asText()).isEqualTo("array");
        assertThat(containers.at("/items/properties/ports/items/properties/containerPort/format").asText()).isEqualTo("int32");
        JsonNode patch = doc.path("paths").path("/apis/serving.knative.dev/v1/namespaces/{namespace}/services/{name}").path("patch");
        assertThat(patch.path("x-kubernetes-group-version-kind").path("kind").asText()).isEqualTo("Service");
        assertThat(patch.path("parameters").findValuesAsText("name")).contains("fieldValidation", "dryRun");
        assertThat(doc("api/v1").path("components").path("schemas").has("io.k8s.api.core.v1.Secret")).isTrue();
    }
}
