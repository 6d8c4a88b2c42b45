package dev.tide.controlplane.reconciler;

import static dev.tide.testing.Fixtures.inferenceService;
import static dev.tide.testing.Fixtures.service;
import static dev.tide.testing.Fixtures.target;
import static dev.tide.testing.Fixtures.withAnnotation;
import static dev.tide.testing.Fixtures.withImage;
import static dev.tide.testing.Fixtures.withLabel;
import static dev.tide.testing.Fixtures.withPredictor;
import static dev.tide.testing.Fixtures.withTemplateAnnotation;
import static dev.tide.testing.Fixtures.withTraffic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Knative's and KServe's reconcile behaviour, object by object, driven to a fixpoint. */
class ReconcilersTest {

    private final TestWorld world = new TestWorld();

    private ObjectNode update(ObjectNode svc) {
        return world.registry.update(ResourceTypes.SERVICE, "default", Meta.name(svc), svc, Meta.resourceVersion(svc)).object();
    }

    @Test
    void serviceCreatesConfigurationRouteAndFirstRevision() {
        world.create(ResourceTypes.SERVICE, service("default", "hello", withLabel("team", "a")));
        world.converge();
        assertThat(world.names(ResourceTypes.CONFIGURATION)).containsExactly("hello");
        assertThat(world.names(ResourceTypes.ROUTE)).containsExactly("hello");
        assertThat(world.names(ResourceTypes.REVISION)).containsExactly("hello-00001");
        ObjectNode rev = world.get(ResourceTypes.REVISION, "hello-00001");
        assertThat(Meta.labels(rev)).containsEntry("serving.knative.dev/configuration", "hello")
                .containsEntry("serving.knative.dev/configurationGeneration", "1")
                .containsEntry("serving.knative.dev/service", "hello");
        assertThat(Meta.ownerName(rev, "Configuration")).isEqualTo("hello");
        assertThat(Meta.labels(world.get(ResourceTypes.CONFIGURATION, "hello"))).containsEntry("team", "a");
        ObjectNode svc = world.get(ResourceTypes.SERVICE, "hello");
        assertThat(svc.at("/status/url").asText()).isEqualTo("http://hello.default.example.com");
        assertThat(svc.at("/status/latestCreatedRevisionName").asText()).isEqualTo("hello-00001");
        assertThat(svc.at("/status/observedGeneration").asLong()).isEqualTo(1);
        assertThat(Conditions.status(svc, "Ready")).isEqualTo("Unknown");
        assertThat(Conditions.get(svc, "Ready").path("reason").asText()).isEqualTo("NoRuntime");
    }

    @Test
    void everyTemplateChangeMakesTheNextRevisionAndMetadataChangesMakeNone() {
        world.create(ResourceTypes.SERVICE, service("default", "hello"));
        world.converge();
        ObjectNode svc = world.get(ResourceTypes.SERVICE, "hello");
        withImage("example.com/hello:2").accept(svc);
        update(svc);
        world.converge();
        assertThat(world.names(ResourceTypes.REVISION)).containsExactly("hello-00001", "hello-00002");
        svc = world.get(ResourceTypes.SERVICE, "hello");
        withLabel("owner", "b").accept(svc);
        withAnnotation("note", "metadata only").accept(svc);
        update(svc);
        world.converge();
        assertThat(world.names(ResourceTypes.REVISION)).containsExactly("hello-00001", "hello-00002");
        svc = world.get(ResourceTypes.SERVICE, "hello");
        withTraffic(target("hello-00001", 100, null)).accept(svc);
        ObjectNode updated = update(svc);
        world.converge();
        assertThat(Meta.generation(updated)).isEqualTo(3);
        assertThat(world.names(ResourceTypes.REVISION)).as("a traffic change is not a template change")
                .containsExactly("hello-00001", "hello-00002");
        withTemplateAnnotation("autoscaling.knative.dev/min-scale", "1").accept(svc = world.get(ResourceTypes.SERVICE, "hello"));
        update(svc);
        world.converge();
        assertThat(world.names(ResourceTypes.REVISION)).containsExactly("hello-00001", "hello-00002", "hello-00003");
        assertThat(world.get(ResourceTypes.SERVICE, "hello").at("/status/latestCreatedRevisionName").asText()).isEqualTo("hello-00003");
    }

    @Test
    void routeSplitsTrafficAcrossReadyRevisionsWithTagUrls() {
        world.create(ResourceTypes.SERVICE, service("default", "hello"));
        world.converge();
        ObjectNode svc = world.get(ResourceTypes.SERVICE, "hello");
        withImage("example.com/hello:2").accept(svc);
        withTraffic(target(null, 70, "current"), target("hello-00001", 30, "prev")).accept(svc);
        update(svc);
        world.converge();
        ObjectNode route = world.get(ResourceTypes.ROUTE, "hello");
        assertThat(Conditions.status(route, "AllTrafficAssigned")).as("waiting for a ready revision").isEqualTo("Unknown");
        assertThat(Conditions.get(route, "AllTrafficAssigned").path("reason").asText()).isEqualTo("RevisionMissing");

        world.ready.addAll(java.util.List.of("hello-00001", "hello-00002"));
        world.converge();
        route = world.get(ResourceTypes.ROUTE, "hello");
        assertThat(route.at("/status/traffic").toString()).isEqualTo("["
                + "{\"tag\":\"current\",\"revisionName\":\"hello-00002\",\"latestRevision\":true,\"percent\":70,"
                + "\"url\":\"http://current-hello.default.example.com\"},"
                + "{\"tag\":\"prev\",\"revisionName\":\"hello-00001\",\"latestRevision\":false,\"percent\":30,"
                + "\"url\":\"http://prev-hello.default.example.com\"}]");
        ObjectNode svcNow = world.get(ResourceTypes.SERVICE, "hello");
        assertThat(Conditions.status(svcNow, "Ready")).isEqualTo("True");
        assertThat(svcNow.at("/status/latestReadyRevisionName").asText()).isEqualTo("hello-00002");
        assertThat(svcNow.at("/status/traffic/0/revisionName").asText()).isEqualTo("hello-00002");
    }

    @Test
    void aMissingRevisionInTrafficIsAFailure() {
        world.create(ResourceTypes.SERVICE, service("default", "hello", withTraffic(target("hello-00042", 100, null))));
        world.converge();
        ObjectNode route = world.get(ResourceTypes.ROUTE, "hello");
        assertThat(Conditions.status(route, "Ready")).isEqualTo("False");
        assertThat(Conditions.get(route, "Ready").path("message").asText())
                .isEqualTo("Revision \"hello-00042\" referenced in traffic not found.");
    }

    @Test
    void domainComesFromConfigDomain() {
        ObjectNode cm = Json.object();
        cm.putObject("metadata").put("name", "config-domain").put("namespace", "knative-serving");
        cm.putObject("data").put("models.internal", "");
        world.create(ResourceTypes.CONFIG_MAP, cm);
        world.create(ResourceTypes.SERVICE, service("default", "hello"));
        world.converge();
        assertThat(world.get(ResourceTypes.SERVICE, "hello").at("/status/url").asText()).isEqualTo("http://hello.default.models.internal");
    }

    @Test
    void aServiceWithoutContainersReportsItCannotRun() {
        ObjectNode svc = service("default", "snippet");
        ((ObjectNode) svc.at("/spec/template/spec")).remove("containers");
        world.create(ResourceTypes.SERVICE, svc);
        world.converge();
        ObjectNode rev = world.get(ResourceTypes.REVISION, "snippet-00001");
        assertThat(Conditions.status(rev, "Ready")).isEqualTo("False");
        assertThat(Conditions.get(rev, "Ready").path("reason").asText()).isEqualTo("ContainerMissing");
        assertThat(Conditions.status(world.get(ResourceTypes.SERVICE, "snippet"), "Ready")).isEqualTo("False");
    }

    @Test
    void vendorAnnotationsShowAsAnInformationalCondition() {
        world.create(ResourceTypes.SERVICE, service("default", "sd", withAnnotation("k8s.aliyun.com/eci-use-specs", "ecs.gn5"),
                withAnnotation("serving.knative.dev.alibabacloud/affinity", "cookie")));
        world.converge();
        JsonNode c = Conditions.get(world.get(ResourceTypes.SERVICE, "sd"), "UnsupportedAnnotations");
        assertThat(c.path("severity").asText()).isEqualTo("Info");
        assertThat(c.path("message").asText()).contains("k8s.aliyun.com/eci-use-specs").doesNotContain("affinity");
    }

    @Test
    void deletingAServiceDeletesEverythingItOwns() {
        world.create(ResourceTypes.SERVICE, service("default", "hello"));
        world.converge();
        world.delete(ResourceTypes.SERVICE, "hello");
        assertThat(world.names(ResourceTypes.CONFIGURATION)).isEmpty();
        assertThat(world.names(ResourceTypes.ROUTE)).isEmpty();
        assertThat(world.names(ResourceTypes.REVISION)).isEmpty();
    }

    @Test
    void inferenceServiceMapsOntoAKnativeService() {
        world.create(ResourceTypes.INFERENCE_SERVICE, inferenceService("default", "flowers",
                withPredictor("minReplicas", 0), withPredictor("maxReplicas", 5), withPredictor("scaleTarget", 1),
                withPredictor("scaleMetric", "concurrency"), withPredictor("containerConcurrency", 10), withPredictor("timeout", 60),
                withAnnotation("autoscaling.knative.dev/window", "30s")));
        world.converge();
        ObjectNode ksvc = world.get(ResourceTypes.SERVICE, "flowers-predictor");
        JsonNode annotations = ksvc.at("/spec/template/metadata/annotations");
        assertThat(Meta.strings(annotations)).containsEntry("autoscaling.knative.dev/min-scale", "0")
                .containsEntry("autoscaling.knative.dev/max-scale", "5")
                .containsEntry("autoscaling.knative.dev/target", "1")
                .containsEntry("autoscaling.knative.dev/metric", "concurrency")
                .containsEntry("autoscaling.knative.dev/class", "kpa.autoscaling.knative.dev")
                .containsEntry("autoscaling.knative.dev/window", "30s")
                .containsEntry("internal.serving.kserve.io/storage-initializer-sourceuri", "file:///models/flowers")
                .containsEntry("serving.kserve.io/model-format", "onnx")
                .doesNotContainKey(Meta.LAST_APPLIED);
        assertThat(ksvc.at("/spec/template/spec/containerConcurrency").asLong()).isEqualTo(10);
        assertThat(ksvc.at("/spec/template/spec/timeoutSeconds").asLong()).isEqualTo(60);
        assertThat(ksvc.at("/spec/template/spec/containers/0/name").asText()).isEqualTo("kserve-container");
        assertThat(Meta.labels(ksvc)).containsEntry("serving.kserve.io/inferenceservice", "flowers").containsEntry("component", "predictor");
        ObjectNode isvc = world.get(ResourceTypes.INFERENCE_SERVICE, "flowers");
        assertThat(isvc.at("/status/url").asText()).isEqualTo("http://flowers.default.example.com");
        assertThat(isvc.at("/status/components/predictor/latestCreatedRevision").asText()).isEqualTo("flowers-predictor-00001");
    }

    @Test
    void kserveDefaultsMinReplicasToOneAndCpuMetricToHpa() {
        world.create(ResourceTypes.INFERENCE_SERVICE, inferenceService("default", "m", withPredictor("scaleMetric", "cpu"),
                withPredictor("scaleTarget", 80)));
        world.converge();
        JsonNode annotations = world.get(ResourceTypes.SERVICE, "m-predictor").at("/spec/template/metadata/annotations");
        assertThat(Meta.strings(annotations)).containsEntry("autoscaling.knative.dev/min-scale", "1")
                .containsEntry("autoscaling.knative.dev/class", "hpa.autoscaling.knative.dev")
                .containsEntry("autoscaling.knative.dev/metric", "cpu");
    }

    @Test
    void transformerGetsItsOwnServiceWhichGoesWhenRemoved() {
        ObjectNode isvc = inferenceService("default", "tt");
        ObjectNode transformer = Json.with((ObjectNode) isvc.get("spec"), "transformer");
        transformer.put("scaleTarget", 8).put("scaleMetric", "rps");
        transformer.putArray("containers").addObject().put("name", "kserve-container").put("image", "t:1");
        world.create(ResourceTypes.INFERENCE_SERVICE, isvc);
        world.converge();
        ObjectNode t = world.get(ResourceTypes.SERVICE, "tt-transformer");
        assertThat(Meta.strings(t.at("/spec/template/metadata/annotations"))).containsEntry("autoscaling.knative.dev/metric", "rps")
                .containsEntry("autoscaling.knative.dev/target", "8");
        // As KServe gives them: the predictor's cluster-local host, and its model server's arguments.
        assertThat(t.at("/spec/template/spec/containers/0/env/0/value").asText()).isEqualTo("tt-predictor.default");
        assertThat(t.at("/spec/template/spec/containers/0/args").toString())
                .isEqualTo("[\"--model_name\",\"tt\",\"--predictor_host\",\"tt-predictor.default\",\"--http_port\",\"$(PORT)\","
                        + "\"--enable_grpc\",\"false\"]");
        ObjectNode live = world.get(ResourceTypes.INFERENCE_SERVICE, "tt");
        ((ObjectNode) live.get("spec")).remove("transformer");
        world.registry.update(ResourceTypes.INFERENCE_SERVICE, "default", "tt", live, null);
        world.converge();
        assertThat(world.names(ResourceTypes.SERVICE)).containsExactly("tt-predictor");
    }

    @Test
    void standardDeploymentModeRunsAnHpaOnCpuAsKServesRawDeploymentDoes() {
        world.create(ResourceTypes.INFERENCE_SERVICE, inferenceService("default", "raw",
                withAnnotation("serving.kserve.io/deploymentMode", "Standard"), withPredictor("maxReplicas", 4)));
        world.converge();
        JsonNode annotations = world.get(ResourceTypes.SERVICE, "raw-predictor").at("/spec/template/metadata/annotations");
        assertThat(Meta.strings(annotations)).containsEntry("autoscaling.knative.dev/min-scale", "1")
                .containsEntry("autoscaling.knative.dev/max-scale", "4")
                .containsEntry("autoscaling.knative.dev/class", "hpa.autoscaling.knative.dev")
                .containsEntry("autoscaling.knative.dev/metric", "cpu")
                .doesNotContainKey("autoscaling.knative.dev/target");
    }

    @Test
    void aStoppedInferenceServiceHasNoComponentsAndSaysSoUntilItIsResumed() {
        world.create(ResourceTypes.INFERENCE_SERVICE, inferenceService("default", "s"));
        world.converge();
        assertThat(world.names(ResourceTypes.SERVICE)).containsExactly("s-predictor");

        ObjectNode live = world.get(ResourceTypes.INFERENCE_SERVICE, "s");
        Json.with((ObjectNode) live.get("metadata"), "annotations").put("serving.kserve.io/stop", "true");
        world.registry.update(ResourceTypes.INFERENCE_SERVICE, "default", "s", live, null);
        world.converge();
        assertThat(world.names(ResourceTypes.SERVICE)).as("the predictor goes, and its revisions with it").isEmpty();
        ObjectNode stopped = world.get(ResourceTypes.INFERENCE_SERVICE, "s");
        assertThat(Conditions.status(stopped, "Stopped")).isEqualTo("True");
        for (String type : List.of("Ready", "PredictorReady", "IngressReady")) {
            JsonNode c = Conditions.get(stopped, type);
            assertThat(c.path("status").asText()).as(type).isEqualTo("False");
            assertThat(c.path("reason").asText()).as(type).isEqualTo("Stopped");
        }
        assertThat(stopped.path("status").has("components")).isFalse();

        live = world.get(ResourceTypes.INFERENCE_SERVICE, "s");
        ((ObjectNode) live.at("/metadata/annotations")).put("serving.kserve.io/stop", "false");
        world.registry.update(ResourceTypes.INFERENCE_SERVICE, "default", "s", live, null);
        world.converge();
        assertThat(world.names(ResourceTypes.SERVICE)).containsExactly("s-predictor");
        ObjectNode resumed = world.get(ResourceTypes.INFERENCE_SERVICE, "s");
        assertThat(Conditions.status(resumed, "Stopped")).isEqualTo("False");
        assertThat(Conditions.get(resumed, "PredictorReady").path("reason").asText()).isNotEqualTo("Stopped");
    }

    @Test
    void aChildNameTakenByAnotherOwnerIsReported() {
        world.create(ResourceTypes.SERVICE, service("default", "x-predictor"));
        world.create(ResourceTypes.INFERENCE_SERVICE, inferenceService("default", "x"));
        world.converge();
        JsonNode ready = Conditions.get(world.get(ResourceTypes.INFERENCE_SERVICE, "x"), "Ready");
        assertThat(ready.path("status").asText()).isEqualTo("False");
        assertThat(ready.path("reason").asText()).isEqualTo("NotOwned");
    }
}
