package dev.tide.api.kserve.v1beta1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.api.Manifests;
import dev.tide.api.config.ClusterConfig;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class InferenceServiceValidatorTest {

    record Case(String name, String predictor, List<String> want) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String MODEL = "    model:\n      modelFormat:\n        name: onnx\n      storageUri: file:///models/m\n";

    static Stream<Case> cases() {
        return Stream.of(
                new Case("model", MODEL, List.of()),
                new Case("framework shorthand", "    tensorflow:\n      storageUri: gs://bucket/model\n", List.of()),
                new Case("model and framework", MODEL + "    sklearn:\n      storageUri: s3://b/m\n",
                        List.of("expected exactly one, got both: spec.predictor.model, spec.predictor.sklearn")),
                new Case("nothing to serve", "    minReplicas: 1\n",
                        List.of("expected exactly one, got neither: spec.predictor.model, spec.predictor.containers")),
                new Case("model without format", "    model:\n      storageUri: file:///m\n",
                        List.of("missing field(s): spec.predictor.model.modelFormat.name")),
                new Case("unknown storage scheme", "    model:\n      modelFormat:\n        name: onnx\n      storageUri: ftp://host/m\n",
                        List.of("invalid value: ftp://host/m: spec.predictor.model.storageUri")),
                new Case("min above max", MODEL + "    minReplicas: 3\n    maxReplicas: 2\n",
                        List.of("minReplicas (3) cannot be greater than maxReplicas (2): spec.predictor.minReplicas, spec.predictor.maxReplicas")),
                new Case("negative min", MODEL + "    minReplicas: -1\n", List.of("expected 0 <= -1 <= 2147483647: spec.predictor.minReplicas")),
                new Case("scale metric", MODEL + "    scaleMetric: gpu\n", List.of("invalid value: gpu: spec.predictor.scaleMetric")),
                new Case("cpu target above 100", MODEL + "    scaleMetric: cpu\n    scaleTarget: 150\n",
                        List.of("expected 1 <= 150 <= 100: spec.predictor.scaleTarget")),
                new Case("scale target 0", MODEL + "    scaleTarget: 0\n", List.of("invalid value: 0: spec.predictor.scaleTarget")),
                new Case("container concurrency", MODEL + "    containerConcurrency: 1001\n",
                        List.of("expected 0 <= 1001 <= 1000: spec.predictor.containerConcurrency")),
                new Case("model resources are checked", "    model:\n      modelFormat:\n        name: onnx\n      resources:\n        limits:\n          cpu: fast\n",
                        List.of("invalid value: fast: spec.predictor.model.resources.limits[cpu]")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void validates(Case c) {
        var isvc = Manifests.parse("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: m\nspec:\n  predictor:\n"
                + c.predictor(), "test").get(0);
        var errors = InferenceServiceValidator.validate(isvc, ClusterConfig.defaults("example.com"));
        assertThat(errors.list()).extracting(e -> e.message() + ": " + e.path()).containsExactlyElementsOf(c.want());
    }

    record Annotated(String annotations, String predictor, List<String> want) {
    }

    static Stream<Annotated> annotated() {
        String mode = "serving.kserve.io/deploymentMode";
        return Stream.of(
                new Annotated(mode + ": Serverless", MODEL + "    minReplicas: 0\n", List.of()),
                new Annotated(mode + ": Knative", MODEL, List.of()),
                new Annotated(mode + ": RawDeployment", MODEL + "    minReplicas: 2\n    scaleMetric: memory\n", List.of()),
                new Annotated(mode + ": Standard", MODEL + "    minReplicas: 0\n    scaleMetric: concurrency\n",
                        List.of("invalid value: 0: spec.predictor.minReplicas", "invalid value: concurrency: spec.predictor.scaleMetric")),
                new Annotated(mode + ": ModelMesh", MODEL, List.of("invalid value: ModelMesh: metadata.annotations[" + mode + "]")),
                new Annotated(mode + ": serverless", MODEL, List.of("invalid value: serverless: metadata.annotations[" + mode + "]")),
                new Annotated("serving.kserve.io/stop: \"True\"", MODEL, List.of()),
                new Annotated("serving.kserve.io/stop: \"yes\"", MODEL,
                        List.of("invalid value: yes: metadata.annotations[serving.kserve.io/stop]")));
    }

    @ParameterizedTest
    @MethodSource("annotated")
    void kserveAnnotationsAreCheckedWithTheComponentsTheyShape(Annotated c) {
        var isvc = Manifests.parse("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: m\n  annotations:\n    "
                + c.annotations() + "\nspec:\n  predictor:\n" + c.predictor(), "test").get(0);
        var errors = InferenceServiceValidator.validate(isvc, ClusterConfig.defaults("example.com"));
        assertThat(errors.list()).extracting(e -> e.message() + ": " + e.path()).containsExactlyElementsOf(c.want());
    }
}
