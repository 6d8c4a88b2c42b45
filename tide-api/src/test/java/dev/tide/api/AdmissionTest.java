package dev.tide.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.config.ClusterConfig;
import dev.tide.api.resources.LocalLimits;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.ValidationException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Defaults, normalisation and validation of whole objects, as the server admits them. */
class AdmissionTest {

    private static final ClusterConfig CONFIG = ClusterConfig.defaults("example.com");

    static ObjectNode parse(String yaml) {
        return Manifests.parse(yaml, "test").get(0);
    }

    static Admission.Admitted admit(String yaml) {
        ObjectNode o = parse(yaml);
        ResourceType type = ResourceTypes.byApiVersionAndKind(Meta.apiVersion(o), Meta.kind(o)).orElseThrow();
        return Admission.admit(type, o, CONFIG);
    }

    static List<String> errors(String yaml) {
        try {
            admit(yaml);
            return List.of();
        } catch (ValidationException e) {
            return e.errors().stream().map(f -> f.message() + ": " + f.path()).toList();
        }
    }

    private static final String SVC = """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: hello
            spec:
              template:
                spec:
                  containers:
                    - image: example.com/hello
            """;

    private static String svc(String specExtra, String templateSpecExtra) {
        return """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: hello
                spec:
                  template:
                    spec:
                %s      containers:
                        - image: example.com/hello
                %s""".formatted(templateSpecExtra.indent(6), specExtra.indent(2));
    }

    record Case(String name, String yaml, List<String> want) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> servingCases() {
        return Stream.of(
                new Case("a plain service", SVC, List.of()),
                new Case("percent above 100", svc("traffic:\n  - latestRevision: true\n    percent: 101", ""),
                        List.of("expected 0 <= 101 <= 100: spec.traffic[0].percent", "Traffic targets sum to 101, want 100: spec.traffic")),
                new Case("percents not summing to 100", svc("traffic:\n  - latestRevision: true\n    percent: 50\n  - revisionName: hello-00001\n    percent: 40", ""),
                        List.of("Traffic targets sum to 90, want 100: spec.traffic")),
                new Case("a 70/30 split with tags", svc("traffic:\n  - latestRevision: true\n    percent: 70\n    tag: current\n  - revisionName: hello-00001\n    percent: 30\n    tag: prev", ""),
                        List.of()),
                new Case("duplicate tags", svc("traffic:\n  - latestRevision: true\n    percent: 50\n    tag: a\n  - revisionName: hello-00001\n    percent: 50\n    tag: a", ""),
                        List.of("Multiple definitions for \"a\": spec.traffic[1].tag")),
                new Case("revision name with latestRevision", svc("traffic:\n  - latestRevision: true\n    revisionName: hello-00001\n    percent: 100", ""),
                        List.of("may not set revisionName \"hello-00001\" when latestRevision is true: spec.traffic[0].latestRevision")),
                new Case("latestRevision false without a name", svc("traffic:\n  - latestRevision: false\n    percent: 100", ""),
                        List.of("missing field(s): spec.traffic[0].revisionName")),
                new Case("configurationName in a Service", svc("traffic:\n  - configurationName: other\n    percent: 100", ""),
                        List.of("must not set the field(s): spec.traffic[0].configurationName")),
                new Case("url is status only", svc("traffic:\n  - latestRevision: true\n    percent: 100\n    url: http://x", ""),
                        List.of("must not set the field(s): spec.traffic[0].url")),
                new Case("tag not a label", svc("traffic:\n  - latestRevision: true\n    percent: 100\n    tag: Not_OK", ""),
                        List.of("invalid value: Not_OK: spec.traffic[0].tag")),
                new Case("containerConcurrency 5000", svc("", "containerConcurrency: 5000"),
                        List.of("expected 0 <= 5000 <= 1000: spec.template.spec.containerConcurrency")),
                new Case("timeout above the maximum", svc("", "timeoutSeconds: 601"),
                        List.of("expected 0 <= 601 <= 600: spec.template.spec.timeoutSeconds")),
                new Case("negative timeout", svc("", "timeoutSeconds: -1"),
                        List.of("expected 0 <= -1 <= 600: spec.template.spec.timeoutSeconds")),
                new Case("timeout as a string", svc("", "timeoutSeconds: \"6s\""),
                        List.of("invalid value: 6s: spec.template.spec.timeoutSeconds")),
                new Case("bad name", SVC.replace("name: hello", "name: Hello_World"),
                        List.of("invalid value: Hello_World: metadata.name")),
                new Case("revision name without the service prefix",
                        SVC.replace("  template:\n", "  template:\n    metadata:\n      name: other-v1\n"),
                        List.of("invalid value: other-v1: spec.template.metadata.name")));
    }

    static Stream<Case> containerCases() {
        String base = """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: hello
                spec:
                  template:
                    spec:
                      containers:
                        - image: example.com/hello
                %s""";
        return Stream.of(
                new Case("two ports", base.formatted("          ports:\n            - containerPort: 8080\n            - containerPort: 9090"),
                        List.of("more than one container port is set: spec.template.spec.containers[0].ports")),
                new Case("port out of range", base.formatted("          ports:\n            - containerPort: 70000"),
                        List.of("expected 1 <= 70000 <= 65535: spec.template.spec.containers[0].ports[0].containerPort")),
                new Case("port as a placeholder", base.formatted("          ports:\n            - containerPort: xxx"),
                        List.of("invalid value: xxx: spec.template.spec.containers[0].ports[0].containerPort")),
                new Case("port name selects the protocol", base.formatted("          ports:\n            - containerPort: 8080\n              name: grpc"),
                        List.of("invalid value: grpc: spec.template.spec.containers[0].ports[0].name")),
                new Case("udp", base.formatted("          ports:\n            - containerPort: 8080\n              protocol: UDP"),
                        List.of("invalid value: UDP: spec.template.spec.containers[0].ports[0].protocol")),
                new Case("two probe handlers", base.formatted("          readinessProbe:\n            tcpSocket: {}\n            httpGet:\n              path: /"),
                        List.of("expected exactly one, got both: spec.template.spec.containers[0].readinessProbe.httpGet, spec.template.spec.containers[0].readinessProbe.tcpSocket")),
                new Case("liveness success threshold 2", base.formatted("          livenessProbe:\n            tcpSocket: {}\n            successThreshold: 2"),
                        List.of("expected 1 <= 2 <= 1: spec.template.spec.containers[0].livenessProbe.successThreshold")),
                new Case("liveness period 0", base.formatted("          livenessProbe:\n            tcpSocket: {}\n            periodSeconds: 0"),
                        List.of("expected 1 <= 0 <= 2147483647: spec.template.spec.containers[0].livenessProbe.periodSeconds")),
                new Case("readiness period 0 probes aggressively", base.formatted("          readinessProbe:\n            tcpSocket: {}\n            periodSeconds: 0"),
                        List.of()),
                new Case("probe path without slash", base.formatted("          readinessProbe:\n            httpGet:\n              path: health"),
                        List.of("invalid value: health: spec.template.spec.containers[0].readinessProbe.httpGet.path")),
                new Case("failure threshold 0", base.formatted("          readinessProbe:\n            tcpSocket: {}\n            failureThreshold: 0"),
                        List.of("expected 1 <= 0 <= 2147483647: spec.template.spec.containers[0].readinessProbe.failureThreshold")),
                new Case("env value and valueFrom", base.formatted("          env:\n            - name: A\n              value: x\n              valueFrom:\n                secretKeyRef:\n                  name: s\n                  key: k"),
                        List.of("expected exactly one, got both: spec.template.spec.containers[0].env[0].value, spec.template.spec.containers[0].env[0].valueFrom")),
                new Case("env secret ref without key", base.formatted("          env:\n            - name: A\n              valueFrom:\n                secretKeyRef:\n                  name: s"),
                        List.of("missing field(s): spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key")),
                new Case("env without name", base.formatted("          env:\n            - value: x"),
                        List.of("missing field(s): spec.template.spec.containers[0].env[0].name")),
                new Case("bad quantity", base.formatted("          resources:\n            limits:\n              memory: lots"),
                        List.of("invalid value: lots: spec.template.spec.containers[0].resources.limits[memory]")),
                new Case("gpu memory share", base.formatted("          resources:\n            limits:\n              aliyun.com/gpu-mem: \"3\"\n              nvidia.com/gpu: 1"),
                        List.of()),
                new Case("mount of an unknown volume", base.formatted("          volumeMounts:\n            - name: models\n              mountPath: data"),
                        List.of("invalid value: models: spec.template.spec.containers[0].volumeMounts[0].name",
                                "invalid value: data: spec.template.spec.containers[0].volumeMounts[0].mountPath")),
                new Case("command items must be strings", base.formatted("          command:\n            - python\n            - [x]"),
                        List.of("invalid value: [\"x\"]: spec.template.spec.containers[0].command[1]")));
    }

    @ParameterizedTest
    @MethodSource("servingCases")
    void servingRules(Case c) {
        assertThat(errors(c.yaml())).containsExactlyElementsOf(c.want());
    }

    @ParameterizedTest
    @MethodSource("containerCases")
    void containerRules(Case c) {
        assertThat(errors(c.yaml())).containsExactlyElementsOf(c.want());
    }

    @Test
    void defaultsAreWrittenLikeKnativesWebhook() {
        ObjectNode svc = admit(SVC).object();
        ObjectNode spec = (ObjectNode) svc.path("spec").path("template").path("spec");
        assertThat(spec.path("containerConcurrency").asLong()).isEqualTo(0);
        assertThat(spec.path("timeoutSeconds").asLong()).isEqualTo(300);
        assertThat(svc.path("spec").path("traffic").toString()).isEqualTo("[{\"latestRevision\":true,\"percent\":100}]");
        assertThat(spec.path("containers").toString()).as("kept as written").isEqualTo("[{\"image\":\"example.com/hello\"}]");
    }

    @Test
    void revisionsGetContainerDefaults() {
        ObjectNode rev = admit("""
                apiVersion: serving.knative.dev/v1
                kind: Revision
                metadata:
                  name: hello-00001
                spec:
                  containers:
                    - image: example.com/hello
                """).object();
        assertThat(rev.at("/spec/containers/0/name").asText()).isEqualTo("user-container");
        assertThat(rev.at("/spec/containers/0/readinessProbe").toString()).isEqualTo("{\"successThreshold\":1,\"tcpSocket\":{\"port\":0}}");
        assertThat(rev.at("/spec/timeoutSeconds").asLong()).isEqualTo(300);
    }

    @Test
    void anEmptyContainerNameIsUnsetAsKnSendsIt() {
        ObjectNode svc = admit(SVC.replace("- image: example.com/hello\n", "- image: example.com/hello\n          name: \"\"\n")).object();
        assertThat(svc.at("/spec/template/spec/containers/0/name").asText()).isEmpty();
        assertThatThrownBy(() -> admit(SVC.replace("- image: example.com/hello\n", "- image: example.com/hello\n          name: Bad_Name\n")))
                .hasMessageContaining("a container name must be a DNS-1123 label");
    }

    @Test
    void aPodIsRefusedAsTidesViewOfReplicas() {
        assertThatThrownBy(() -> admit("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: mine
                  namespace: default
                """)).hasMessageContaining("Tide's Pods are its view of a revision's replicas and cannot be written");
    }

    @Test
    void defaultsNeverReplaceWhatTheUserWrote() {
        ObjectNode svc = admit(svc("traffic:\n  - revisionName: hello-00001\n    percent: 100", "containerConcurrency: 1\ntimeoutSeconds: 6")).object();
        assertThat(svc.at("/spec/template/spec/containerConcurrency").asLong()).isEqualTo(1);
        assertThat(svc.at("/spec/template/spec/timeoutSeconds").asLong()).isEqualTo(6);
        assertThat(svc.at("/spec/traffic/0/latestRevision").asBoolean(true)).isFalse();
    }

    @Test
    void anUnquotedAnnotationIsStoredAsTextWithAWarning() {
        Admission.Admitted a = admit(SVC.replace("  template:\n", "  template:\n    metadata:\n      annotations:\n        autoscaling.knative.dev/target: 1\n"));
        assertThat(a.object().at("/spec/template/metadata/annotations").get("autoscaling.knative.dev/target").isTextual()).isTrue();
        assertThat(a.warnings()).containsExactly("spec.template.metadata.annotations[autoscaling.knative.dev/target]: 1 is not a string; "
                + "stored as \"1\" (quote it in YAML)");
    }

    @Test
    void aCpuLimitIsStoredWithAWarningThatLocalReplicasDoNotEnforceIt() {
        Admission.Admitted a = admit(SVC.replace("- image: example.com/hello\n",
                "- image: example.com/hello\n          resources:\n            limits: {cpu: \"2\", memory: 1Gi}\n"));
        assertThat(a.warnings()).containsExactly("spec.template.spec.containers[0].resources.limits.cpu: stored but not "
                + "enforced for local replicas: Tide has no CPU cgroup on this machine (resources.limits.memory is enforced)");
        assertThat(Admission.admit(ResourceTypes.SERVICE, parse(SVC.replace("- image: example.com/hello\n",
                "- image: example.com/hello\n          resources:\n            limits: {cpu: \"2\", memory: 1Gi}\n")),
                CONFIG, FieldValidation.STRICT, new LocalLimits("cgroup v2", true)).warnings())
                .as("where replicas get CPU cgroups").isEmpty();
        assertThat(admit(SVC.replace("- image: example.com/hello\n",
                "- image: example.com/hello\n          resources:\n            limits: {memory: 1Gi}\n")).warnings())
                .as("a memory limit is acted on").isEmpty();
    }

    @Test
    void diskAndDeviceLimitsAreStoredWithAWarningSaveTheModelServersGpu() {
        Admission.Admitted a = admit(SVC.replace("- image: example.com/hello\n", "- image: example.com/hello\n          resources:\n"
                + "            limits: {ephemeral-storage: 1Gi, nvidia.com/gpu: \"1\"}\n"));
        assertThat(a.warnings()).containsExactly(
                "spec.template.spec.containers[0].resources.limits.ephemeral-storage: stored but not enforced for local replicas, "
                        + "which have no disk quota",
                "spec.template.spec.containers[0].resources.limits.nvidia.com/gpu: stored but not acted on for local replicas: "
                        + "Tide assigns no nvidia.com/gpu to them (its model server takes nvidia.com/gpu on a predictor's model)");
        Admission.Admitted model = admit("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: gpu
                spec:
                  predictor:
                    model:
                      modelFormat: {name: onnx}
                      storageUri: file:///m
                      resources:
                        limits: {nvidia.com/gpu: "1", ephemeral-storage: 1Gi}
                """);
        assertThat(model.warnings()).containsExactly("spec.predictor.model.resources.limits.ephemeral-storage: stored but not "
                + "enforced for local replicas, which have no disk quota");
    }

    @Test
    void vendorAnnotationsAreKeptAndReported() {
        Admission.Admitted a = admit(SVC.replace("  name: hello\n", "  name: hello\n  annotations:\n    serving.knative.dev.alibabacloud/affinity: cookie\n"
                + "    k8s.aliyun.com/eci-use-specs: ecs.gn5\n"));
        assertThat(Meta.annotations(a.object())).containsEntry("k8s.aliyun.com/eci-use-specs", "ecs.gn5");
        assertThat(a.warnings()).as("affinity is acted on now").containsExactly("stored but not acted on by Tide yet: k8s.aliyun.com/eci-use-specs");
    }

    @Test
    void acksPodAnnotationsOfAnImageOnlyTemplateReachItsPodsOnACluster() {
        String withSpecs = SVC.replace("  template:\n", "  template:\n    metadata:\n      annotations:\n"
                + "        k8s.aliyun.com/eci-use-specs: ecs.gn5\n");
        assertThat(Admission.admit(ResourceTypes.SERVICE, parse(withSpecs), CONFIG, FieldValidation.STRICT, LocalLimits.MEASURED, true)
                .warnings()).as("a pod carries it, and the cluster acts on it").isEmpty();
        assertThat(Admission.admit(ResourceTypes.SERVICE, parse(withSpecs), CONFIG, FieldValidation.STRICT, LocalLimits.MEASURED, false)
                .warnings()).as("no cluster: stored only").containsExactly("stored but not acted on by Tide yet: k8s.aliyun.com/eci-use-specs");
        String local = withSpecs.replace("- image: example.com/hello\n", "- image: example.com/hello\n          command: [serve]\n");
        assertThat(Admission.admit(ResourceTypes.SERVICE, parse(local), CONFIG, FieldValidation.STRICT, LocalLimits.MEASURED, true)
                .warnings()).as("a command runs locally: no pod").containsExactly("stored but not acted on by Tide yet: k8s.aliyun.com/eci-use-specs");
    }

    @Test
    void affinityAnnotationsAreValidated() {
        assertThat(errors(SVC.replace("  name: hello\n", "  name: hello\n  annotations:\n    serving.knative.dev.alibabacloud/affinity: ip\n"
                + "    serving.knative.dev.alibabacloud/cookie-timeout: \"0\"\n"))).containsExactly(
                "invalid value: ip: metadata.annotations[serving.knative.dev.alibabacloud/affinity]",
                "expected 1 <= 0 <= 2147483647: metadata.annotations[serving.knative.dev.alibabacloud/cookie-timeout]");
    }

    @Test
    void aTemplateWithoutContainersIsStored() {
        assertThat(errors("""
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: helloworld
                spec:
                  template:
                    metadata:
                      annotations:
                        autoscaling.knative.dev/window: "50s"
                """)).isEmpty();
    }

    @Test
    void secretStringDataBecomesBase64AndErrorsNeverShowValues() {
        ObjectNode secret = admit("""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: s
                stringData:
                  key: hunter2
                """).object();
        assertThat(secret.has("stringData")).isFalse();
        assertThat(secret.at("/data/key").asText()).isEqualTo("aHVudGVyMg==");
        assertThat(secret.path("type").asText()).isEqualTo("Opaque");
        assertThatThrownBy(() -> admit("""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: s
                data:
                  key: not*base64*hunter2
                """)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("data[key]")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void tidesConfigMapsAreValidatedOnlyInKnativeServing() {
        String cm = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: config-autoscaler
                  namespace: %s
                data:
                  stable-window: "5s"
                """;
        assertThat(errors(cm.formatted("knative-serving"))).containsExactly("expected 6s <= 5s <= 1h0m0s: data[stable-window]");
        assertThat(errors(cm.formatted("default"))).isEmpty();
    }

    @Test
    void allErrorsOfAnObjectAreReportedTogether() {
        List<String> errs = errors(svc("traffic:\n  - latestRevision: true\n    percent: 101", "containerConcurrency: -1"));
        assertThat(errs).hasSize(3);
    }

    @Test
    void fieldErrorReadsLikeKnative() {
        assertThat(FieldError.outOfBounds(101L, 0, 100, "spec.traffic[0].percent").toString())
                .isEqualTo("expected 0 <= 101 <= 100: spec.traffic[0].percent");
    }
}
