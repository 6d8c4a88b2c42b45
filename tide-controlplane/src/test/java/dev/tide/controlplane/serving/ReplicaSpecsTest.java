package dev.tide.controlplane.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.api.Manifests;
import dev.tide.api.resources.LocalLimits;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.Resources;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** From a Revision to what runs locally. */
class ReplicaSpecsTest {

    private static JsonNode revision(String containers) {
        return Manifests.parse("""
                apiVersion: serving.knative.dev/v1
                kind: Revision
                metadata:
                  name: hello-00001
                  namespace: default
                  labels:
                    serving.knative.dev/configuration: hello
                    serving.knative.dev/service: hello
                spec:
                  timeoutSeconds: 6
                  containers:
                """ + containers.indent(4), "test").get(0);
    }

    private static ReplicaSpecs.Result from(JsonNode rev) {
        JsonNode secret = Json.parseObject("{\"data\":{\"token\":\"czNjcjN0\"}}");
        return from(rev, name -> name.equals("creds") ? Optional.of(secret) : Optional.empty(), name -> Optional.empty());
    }

    private static final ModelServing MODELS = new ModelServing(java.util.List.of("java", "-cp", "cp", "Main"),
            java.util.Set.of("onnx"), "/data/models", Map.of("shared", "/mnt/shared"), java.util.List.of("--cache_quota_bytes=10"),
            Map.of("DJL_OFFLINE", "true"));

    /** The predictor revision Tide makes for an InferenceService (the Knative Service's template, as a Revision). */
    private static JsonNode predictorRevision(String predictor) {
        return componentRevision(Manifests.parse("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: minilm
                  namespace: default
                spec:
                  predictor:
                """ + predictor.indent(4), "test").get(0), "predictor");
    }

    /** {@code component}'s revision as Tide makes it for {@code isvc}: its Knative Service's template, as a Revision. */
    private static JsonNode componentRevision(JsonNode isvc, String component) {
        JsonNode template = dev.tide.controlplane.reconciler.inferenceservice.InferenceServiceResources
                .service(isvc, component, "example.com").path("spec").path("template");
        var rev = Json.object();
        rev.putObject("metadata").put("name", "minilm-" + component + "-00001").put("namespace", "default")
                .set("annotations", template.path("metadata").path("annotations"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) rev.get("metadata")).set("labels", template.path("metadata").path("labels"));
        rev.set("spec", template.path("spec"));
        return rev;
    }

    /** The replica spec as a revision's plan resolves it: the timeout by the plan's one rule, the cluster defaults. */
    private static ReplicaSpecs.Result from(com.fasterxml.jackson.databind.JsonNode rev,
                                            java.util.function.Function<String, Optional<? extends com.fasterxml.jackson.databind.JsonNode>> secrets,
                                            java.util.function.Function<String, Optional<? extends com.fasterxml.jackson.databind.JsonNode>> configMaps) {
        return from(rev, secrets, configMaps, name -> Optional.empty(), ModelServing.none());
    }

    private static ReplicaSpecs.Result from(com.fasterxml.jackson.databind.JsonNode rev,
                                            java.util.function.Function<String, Optional<? extends com.fasterxml.jackson.databind.JsonNode>> secrets,
                                            java.util.function.Function<String, Optional<? extends com.fasterxml.jackson.databind.JsonNode>> configMaps,
                                            java.util.function.Function<String, Optional<? extends com.fasterxml.jackson.databind.JsonNode>> accounts,
                                            ModelServing models) {
        return ReplicaSpecs.from(rev, dev.tide.controlplane.plan.RevisionPlans.timeout(rev, dev.tide.api.config.DefaultsConfig.DEFAULTS),
                secrets, configMaps, accounts, models, ReplicaUsers.AS_TIDE, Placement.LOCAL);
    }

    @Test
    void aTransformerReachesItsPredictorThroughTheIngressAsItsProxy() {
        JsonNode isvc = Manifests.parse("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: minilm
                  namespace: default
                spec:
                  predictor:
                    model: {modelFormat: {name: onnx}, storageUri: "file:///m"}
                  transformer:
                    containers:
                      - name: kserve-container
                        command: ["python3", "transformer.py"]
                """, "test").get(0);
        JsonNode rev = componentRevision(isvc, "transformer");
        ModelServing models = new ModelServing(MODELS.command(), MODELS.formats(), MODELS.cacheDir(), MODELS.volumes(),
                MODELS.cacheArgs(), MODELS.env(), ModelServing.StorageCheck.ANY, () -> "http://127.0.0.1:8080");
        ReplicaSpec spec = ((ReplicaSpecs.Runnable) from(rev, n -> Optional.empty(), n -> Optional.empty(), n -> Optional.empty(), models)).spec();
        assertThat(spec.env()).containsEntry("PREDICTOR_HOST", "minilm-predictor.default")
                .containsEntry("HTTP_PROXY", "http://127.0.0.1:8080").containsEntry("http_proxy", "http://127.0.0.1:8080")
                .containsEntry("NO_PROXY", "localhost,127.0.0.1,::1");
        assertThat(spec.args()).containsSequence("--predictor_host", "minilm-predictor.default").containsSequence("--http_port", "$(PORT)");
        ReplicaSpec plain = ((ReplicaSpecs.Runnable) from(revision("- command: [\"python3\"]"), n -> Optional.empty(),
                n -> Optional.empty(), n -> Optional.empty(), models)).spec();
        assertThat(plain.env()).as("only a transformer is given the proxy").doesNotContainKey("HTTP_PROXY");
    }

    @Test
    void anOnnxPredictorRunsTheModelServerReadyWhenItsModelIs() {
        ReplicaSpec spec = ((ReplicaSpecs.Runnable) from(predictorRevision("""
                batcher:
                  maxBatchSize: 8
                  maxLatency: 5
                model:
                  modelFormat: {name: onnx}
                  storageUri: s3://models/minilm
                  args: ["--workers=1"]
                  env: [{name: S3_ENDPOINT, value: "127.0.0.1:9000"}]
                  resources: {limits: {nvidia.com/gpu: "1"}}
                """), n -> Optional.empty(), n -> Optional.empty(), n -> Optional.empty(), MODELS)).spec();
        assertThat(spec.command()).containsExactly("java", "-cp", "cp", "Main");
        assertThat(spec.args()).containsExactly("--model_name=minilm", "--workers=1", "--storage_uri=s3://models/minilm",
                "--cache_dir=/data/models", "--volume=shared=/mnt/shared", "--cache_quota_bytes=10", "--batching=on",
                "--max_batch_size=8", "--max_batch_delay_ms=5", "--gpu=true");
        assertThat(spec.env()).isEqualTo(Map.of("S3_ENDPOINT", "127.0.0.1:9000", "DJL_OFFLINE", "true"));
        assertThat(spec.readiness().handler()).as("loaded and warmed up, not just listening")
                .isEqualTo(new ProbeSpec.HttpGet("/v2/health/ready", 0));
        assertThat(spec.readiness().period()).isZero();
    }

    @Test
    void aPredictorPortNamedH2cKeepsItsNameSoTheIngressSpeaksHttp2ToTheModelServer() {
        JsonNode rev = predictorRevision("""
                model:
                  modelFormat: {name: onnx}
                  storageUri: s3://models/minilm
                  ports: [{name: h2c, containerPort: 8081, protocol: TCP}]
                """);
        assertThat(rev.path("spec").path("containers").path(0).path("ports").toString())
                .isEqualTo("[{\"containerPort\":8081,\"name\":\"h2c\",\"protocol\":\"TCP\"}]");
        ReplicaSpec spec = ((ReplicaSpecs.Runnable) from(rev, n -> Optional.empty(), n -> Optional.empty(), n -> Optional.empty(),
                MODELS)).spec();
        assertThat(spec.readiness().handler()).as("the model server answers HTTP/1.1 on its h2c port too")
                .isEqualTo(new ProbeSpec.HttpGet("/v2/health/ready", 0));
        assertThat(rev.path("spec").path("containers").path(0).path("args").toString()).contains("--http_port=8081");
        assertThat(predictorRevision("""
                model:
                  modelFormat: {name: onnx}
                  storageUri: s3://models/minilm
                """).path("spec").path("containers").path(0).path("ports").path(0).path("name").asText())
                .as("REST over HTTP/1.1 unless asked").isEqualTo("http1");
        ReplicaSpec probed = ((ReplicaSpecs.Runnable) from(predictorRevision("""
                model:
                  modelFormat: {name: onnx}
                  storageUri: s3://models/minilm
                  ports: [{name: h2c, containerPort: 8081}]
                  readinessProbe: {grpc: {port: 8081, service: minilm}, periodSeconds: 2}
                """), n -> Optional.empty(), n -> Optional.empty(), n -> Optional.empty(), MODELS)).spec();
        assertThat(probed.readiness().handler()).as("a gRPC probe is a gRPC health check on the replica's port, not TCP")
                .isEqualTo(new ProbeSpec.Grpc(0, "minilm"));
    }

    @Test
    void s3CredentialsComeFromTheServiceAccountsSecretAsInKServe() {
        JsonNode rev = predictorRevision("""
                serviceAccountName: sa
                model:
                  modelFormat: {name: onnx}
                  storageUri: s3://models/minilm
                  env: [{name: AWS_REGION, value: eu-west-1}]
                """);
        JsonNode sa = Json.parseObject("""
                {"metadata": {"name": "sa", "annotations": {"serving.kserve.io/s3-usehttps": "1", "serving.kserve.io/s3-region": "us-east-2"}},
                 "secrets": [{"name": "other"}, {"name": "s3creds"}]}""");
        JsonNode other = Json.parseObject("{\"data\": {\"token\": \"eA==\"}}");
        JsonNode creds = Json.parseObject("""
                {"metadata": {"name": "s3creds", "annotations": {"serving.kserve.io/s3-endpoint": "minio:9000",
                  "serving.kserve.io/s3-usehttps": "0"}},
                 "data": {"AWS_ACCESS_KEY_ID": "a2V5", "AWS_SECRET_ACCESS_KEY": "czNjcjN0"}}""");
        java.util.function.Function<String, Optional<? extends JsonNode>> secrets = n -> switch (n) {
            case "other" -> Optional.of(other);
            case "s3creds" -> Optional.of(creds);
            default -> Optional.empty();
        };
        ReplicaSpec spec = ((ReplicaSpecs.Runnable) from(rev, secrets, n -> Optional.empty(),
                n -> n.equals("sa") ? Optional.of(sa) : Optional.empty(), MODELS)).spec();
        // The Secret's annotations win over the account's; the container's own env wins over both.
        assertThat(spec.env()).isEqualTo(Map.of("AWS_ACCESS_KEY_ID", "key", "AWS_SECRET_ACCESS_KEY", "s3cr3t", "S3_ENDPOINT", "minio:9000",
                "S3_USE_HTTPS", "0", "AWS_REGION", "eu-west-1", "DJL_OFFLINE", "true"));

        JsonNode anonymous = Json.parseObject("""
                {"metadata": {"name": "sa", "annotations": {"serving.kserve.io/s3-useanoncredential": "true"}},
                 "secrets": [{"name": "s3creds"}]}""");
        assertThat(((ReplicaSpecs.Runnable) from(rev, secrets, n -> Optional.empty(), n -> Optional.of(anonymous), MODELS))
                .spec().env()).doesNotContainKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY").containsEntry("S3_ENDPOINT", "minio:9000");

        assertThat(from(rev, secrets, n -> Optional.empty(), n -> Optional.empty(), MODELS)).isEqualTo(
                new ReplicaSpecs.NotRunnable("ServiceAccountMissing", "spec.serviceAccountName: ServiceAccount \"sa\" not found"));
        assertThat(from(rev, n -> Optional.empty(), n -> Optional.empty(), n -> Optional.of(sa), MODELS)).isEqualTo(
                new ReplicaSpecs.NotRunnable("SecretMissing", "ServiceAccount \"sa\" secrets[0]: Secret \"other\" not found"));
    }

    @Test
    void otherFormatsNameTheRuntimesTideHas() {
        assertThat(from(predictorRevision("""
                model:
                  modelFormat: {name: sklearn}
                  storageUri: s3://models/iris
                """), n -> Optional.empty(), n -> Optional.empty(), n -> Optional.empty(), MODELS)).isEqualTo(new ReplicaSpecs.NotRunnable(
                "RuntimeUnavailable", "Tide has no model server for modelFormat \"sklearn\"; its runtimes serve [onnx]. "
                        + "Give the predictor its own containers with a command to serve it"));
    }

    @Test
    void commandEnvSecretsProbesAndTimeouts() {
        ReplicaSpecs.Result r = from(revision("""
                - image: example.com/app
                  command: ["python3", "-m", "http.server"]
                  args: ["$(PORT)"]
                  env:
                    - name: MODE
                      value: fast
                    - name: TOKEN
                      valueFrom:
                        secretKeyRef:
                          name: creds
                          key: token
                  ports:
                    - containerPort: 8080
                  readinessProbe:
                    httpGet:
                      port: 8080
                      path: /health
                  livenessProbe:
                    tcpSocket:
                      port: 8080
                """));
        ReplicaSpec spec = ((ReplicaSpecs.Runnable) r).spec();
        assertThat(spec.command()).containsExactly("python3", "-m", "http.server");
        assertThat(spec.args()).containsExactly("$(PORT)");
        assertThat(spec.env()).isEqualTo(Map.of("MODE", "fast", "TOKEN", "s3cr3t"));
        assertThat(spec.service()).isEqualTo("hello");
        assertThat(spec.readiness().handler()).as("the container port is the replica's $PORT").isEqualTo(new ProbeSpec.HttpGet("/health", 0));
        assertThat(spec.readiness().period()).as("no period: aggressive").isZero();
        assertThat(spec.liveness().handler()).isEqualTo(new ProbeSpec.TcpSocket(0));
        assertThat(spec.liveness().period()).isEqualTo(Duration.ofSeconds(10));
        assertThat(spec.drainTimeout()).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void whatCannotRunSaysWhy() {
        assertThat(from(revision("- image: example.com/app\n"))).isEqualTo(new ReplicaSpecs.NotRunnable("CommandMissing",
                "locally runnable containers need a command (image \"example.com/app\" alone cannot run as a local process; "
                        + "start Tide with --kubeconfig to run images on Kubernetes)"));
        ReplicaSpecs.Result missingSecret = from(revision("""
                - command: ["app"]
                  env:
                    - name: TOKEN
                      valueFrom:
                        secretKeyRef:
                          name: other
                          key: token
                """));
        assertThat(missingSecret).isEqualTo(new ReplicaSpecs.NotRunnable("SecretMissing", "env TOKEN: Secret \"other\" not found"));
        assertThat(from(revision("- command: [\"a\"]\n  ports: [{containerPort: 1}]\n- command: [\"b\"]\n")))
                .isInstanceOf(ReplicaSpecs.NotRunnable.class);
    }

    @Test
    void limitsAreCarriedInTheKernelsUnits() {
        assertThat(ReplicaSpecs.resources(Json.parseObject("{\"resources\":{\"limits\":{\"memory\":\"64Mi\",\"cpu\":\"250m\"}}}")))
                .isEqualTo(new Resources(64L << 20, 250, 250));
        assertThat(ReplicaSpecs.resources(Json.parseObject("{\"resources\":{\"limits\":{\"memory\":\"1G\",\"cpu\":\"1.5\"},"
                + "\"requests\":{\"cpu\":\"100m\"}}}"))).isEqualTo(new Resources(1_000_000_000L, 1500, 100));
        assertThat(ReplicaSpecs.resources(Json.parseObject("{\"resources\":{\"requests\":{\"memory\":\"1Gi\",\"cpu\":\"2\"}}}")))
                .as("a request is no limit").isEqualTo(new Resources(0, 0, 2000));
    }

    @Test
    void theLimitsConditionSaysWhichLimitsAreHeldAndHow() {
        JsonNode rev = revision("""
                - command: ["serve"]
                  resources:
                    limits: {memory: 64Mi, cpu: 250m}
                """);
        ReplicaSpecs.Runnable measured = (ReplicaSpecs.Runnable) from(rev, LocalLimits.MEASURED);
        assertThat(measured.limits()).isEqualTo(new ReplicaSpecs.LimitsDecision("False", "CPULimitNotEnforced",
                "resources.limits.cpu (250m): stored but not enforced for local replicas: Tide has no CPU cgroup on this machine "
                        + "(resources.limits.memory is enforced)"));
        assertThat(measured.limits().severity()).isEqualTo("Warning");
        ReplicaSpecs.Runnable kernel = (ReplicaSpecs.Runnable) from(rev, new LocalLimits("cgroup v1", true));
        assertThat(kernel.limits()).isEqualTo(new ReplicaSpecs.LimitsDecision("True", "Enforced",
                "resources.limits.memory (64Mi): enforced by the kernel (cgroup v1 memory limit); "
                        + "resources.limits.cpu (250m): enforced by the kernel (cgroup v1 CPU quota per 100 ms)"));
        assertThat(kernel.limits().severity()).isEqualTo("Info");
        ReplicaSpecs.Runnable storage = (ReplicaSpecs.Runnable) from(revision("""
                - command: ["serve"]
                  resources:
                    limits: {memory: 64Mi, ephemeral-storage: 1Gi}
                """), new LocalLimits("cgroup v2", true));
        assertThat(storage.limits().reason()).isEqualTo("LimitsNotEnforced");
        assertThat(storage.limits().message()).isEqualTo("resources.limits.ephemeral-storage (1Gi): stored but not enforced for "
                + "local replicas, which have no disk quota");
        assertThat(((ReplicaSpecs.Runnable) from(revision("- command: [\"serve\"]\n"), LocalLimits.MEASURED)).limits())
                .as("no limits, no condition").isNull();
    }

    @Test
    void withAClusterAnImageOnlyContainerRunsAsAPodAndWhatPodsDoNotGetYetIsRefusedByName() {
        JsonNode rev = revision("""
                - image: ghcr.io/acme/web:1
                  ports: [{containerPort: 9000}]
                  env: [{name: MODE, value: fast}]
                  resources: {limits: {memory: 1Gi}}
                """);
        ReplicaSpecs.Runnable pod = (ReplicaSpecs.Runnable) ReplicaSpecs.from(rev, Duration.ofSeconds(6), name -> Optional.empty(),
                name -> Optional.empty(), name -> Optional.empty(), ModelServing.none(), ReplicaUsers.AS_TIDE,
                new Placement(LocalLimits.MEASURED, true));
        assertThat(pod.spec().image()).isEqualTo("ghcr.io/acme/web:1");
        assertThat(pod.spec().command()).isEmpty();
        assertThat(pod.spec().containerPort()).isEqualTo(9000);
        assertThat(pod.spec().env()).containsExactly(Map.entry("MODE", "fast"));
        assertThat(pod.spec().memoryLimitBytes()).isEqualTo(1L << 30);
        assertThat(pod.limits().message()).isEqualTo("enforced by the kubelet: the replica is a pod");
        JsonNode eci = Manifests.parse("""
                apiVersion: serving.knative.dev/v1
                kind: Revision
                metadata:
                  name: burst-00001
                  namespace: default
                  annotations:
                    k8s.aliyun.com/eci-use-specs: ecs.gn6i-c4g1.xlarge
                    serving.knative.dev/creator: admin
                spec:
                  nodeSelector: {type: virtual-kubelet}
                  tolerations: [{key: virtual-kubelet.io/provider, operator: Exists}]
                  containers:
                    - image: ghcr.io/acme/web:1
                """, "test").get(0);
        ReplicaSpecs.Runnable burst = (ReplicaSpecs.Runnable) ReplicaSpecs.from(eci, Duration.ofSeconds(6), name -> Optional.empty(),
                name -> Optional.empty(), name -> Optional.empty(), ModelServing.none(), ReplicaUsers.AS_TIDE,
                new Placement(LocalLimits.MEASURED, true));
        assertThat(burst.spec().pod().nodeSelector()).containsExactly(Map.entry("type", "virtual-kubelet"));
        assertThat(burst.spec().pod().tolerations()).isEqualTo("[{\"key\":\"virtual-kubelet.io/provider\",\"operator\":\"Exists\"}]");
        assertThat(burst.spec().pod().annotations()).as("the platform's, not Knative's bookkeeping")
                .containsExactly(Map.entry("k8s.aliyun.com/eci-use-specs", "ecs.gn6i-c4g1.xlarge"));
        ReplicaSpecs.Result picky = ReplicaSpecs.from(revision("""
                - image: ghcr.io/acme/web:1
                  volumeMounts: [{name: data, mountPath: /data}]
                  env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: s, key: k}}}]
                """), Duration.ofSeconds(6), name -> Optional.empty(), name -> Optional.empty(), name -> Optional.empty(),
                ModelServing.none(), ReplicaUsers.AS_TIDE, new Placement(LocalLimits.MEASURED, true));
        assertThat(picky).isEqualTo(new ReplicaSpecs.NotRunnable("PodFieldsUnsupported", "Tide's Kubernetes runtime does not "
                + "pass these to pods yet: containers[0].volumeMounts, containers[0].env[TOKEN].valueFrom; give the container a "
                + "command to run it locally, or remove them"));
    }

    @Test
    void aPodsReadinessProbeIsTidesOwnForKnativesDefaultAndTheKubeletsForTheUsersWithPortZeroTheContainerPort() {
        assertThat(PodReplicaSpecs.readiness(Json.parseObject("{\"successThreshold\":1,\"tcpSocket\":{\"port\":0}}"), 8080))
                .as("what admission writes when none is given: Tide probes the port itself").isNull();
        assertThat(PodReplicaSpecs.readiness(null, 8080)).isNull();
        assertThat(PodReplicaSpecs.readiness(Json.parseObject("{\"successThreshold\":1,\"httpGet\":{\"path\":\"/healthz\"}}"), 9000))
                .isEqualTo("{\"successThreshold\":1,\"httpGet\":{\"path\":\"/healthz\",\"port\":9000}}");
        assertThat(PodReplicaSpecs.readiness(Json.parseObject("{\"periodSeconds\":5,\"tcpSocket\":{\"port\":0}}"), 8080))
                .as("a period of the user's own: the kubelet's").isEqualTo("{\"periodSeconds\":5,\"tcpSocket\":{\"port\":8080}}");
    }

    private static ReplicaSpecs.Result from(JsonNode rev, LocalLimits limits) {
        return ReplicaSpecs.from(rev, Duration.ofSeconds(300), name -> Optional.empty(), name -> Optional.empty(),
                name -> Optional.empty(), ModelServing.none(), ReplicaUsers.AS_TIDE, new Placement(limits, false));
    }
}
