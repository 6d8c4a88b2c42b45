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

    @Test
    void statusesAreDescribedAsTideWritesThemAndKindsWithoutOneHaveNone() {
        JsonNode schemas = doc("apis/serving.knative.dev/v1").path("components").path("schemas");
        JsonNode status = schemas.path(OpenApi.schemaId(ResourceTypes.SERVICE)).at("/properties/status");
        assertThat(status.at("/properties/traffic/items/properties/percent/type").asText()).isEqualTo("integer");
        assertThat(status.at("/properties/latestReadyRevisionName/description").asText()).startsWith("The newest revision that became Ready");
        assertThat(status.at("/properties/conditions/items/properties").fieldNames()).toIterable()
                .contains("type", "status", "severity", "reason", "message", "lastTransitionTime");
        assertThat(schemas.path(OpenApi.schemaId(ResourceTypes.REVISION)).at("/properties/status/properties/actualReplicas/format")
                .asText()).isEqualTo("int32");
        JsonNode core = doc("api/v1").path("components").path("schemas");
        assertThat(core.at("/io.k8s.api.core.v1.Pod/properties/status/properties/containerStatuses/items/properties/lastState"
                + "/properties/terminated/properties/exitCode/type").asText()).isEqualTo("integer");
        assertThat(core.at("/io.k8s.api.core.v1.ConfigMap/properties").has("status")).isFalse();
    }

    @Test
    void theV2DocumentHoldsEveryKindAsDefinitionsInJsonAndProtobuf() {
        JsonNode v2 = Json.parseObject(new String(openApi.v2().json(), StandardCharsets.UTF_8));
        assertThat(v2.path("swagger").asText()).isEqualTo("2.0");
        JsonNode service = v2.path("definitions").path("dev.knative.serving.v1.Service");
        assertThat(service.path("x-kubernetes-group-version-kind").path(0).path("group").asText()).isEqualTo("serving.knative.dev");
        // v3's allOf [$ref #/components/schemas/X] is v2's $ref #/definitions/X.
        assertThat(service.at("/properties/spec/properties/template/properties/spec/properties/containers/items/properties/ports"
                + "/items/properties/containerPort/format").asText()).isEqualTo("int32");
        assertThat(v2.toString()).doesNotContain("#/components/schemas/").contains("\"$ref\":\"#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString\"");
        assertThat(v2.path("definitions").has("io.k8s.api.core.v1.Pod")).isTrue();
        // gnostic's Document: swagger (1) "2.0", then info (2, 10 bytes) with title (1) "Tide" and version (2) "v1".
        byte[] pb = openApi.v2().protobuf();
        assertThat(java.util.Arrays.copyOf(pb, 13)).containsExactly(0x0a, 3, '2', '.', '0', 0x12, 10, 0x0a, 4, 'T', 'i', 'd', 'e');
        assertThat(new String(pb, StandardCharsets.UTF_8)).contains("dev.knative.serving.v1.Service")
                .contains("- group: serving.knative.dev\n  kind: Service\n  version: v1\n");
    }

    @Test
    void vendorExtensionsAreWrittenAsKubeOpenapiWritesThemInYaml() throws Exception {
        assertThat(OpenApiV2.yaml(Json.MAPPER.readTree("[{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}]")))
                .isEqualTo("- group: \"\"\n  kind: Pod\n  version: v1\n");
        assertThat(OpenApiV2.yaml(Json.MAPPER.readTree("true"))).isEqualTo("true\n");
    }
}
