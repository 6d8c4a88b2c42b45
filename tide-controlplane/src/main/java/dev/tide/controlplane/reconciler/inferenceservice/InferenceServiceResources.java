package dev.tide.controlplane.reconciler.inferenceservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.controlplane.serving.ModelServing;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.autoscaling.AutoscalingAnnotations;
import dev.tide.api.config.AutoscalerConfig;
import dev.tide.api.kserve.v1beta1.InferenceServiceValidator;
import dev.tide.api.kserve.v1beta1.KServeAnnotations;
import dev.tide.api.naming.Names;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.controlplane.reconciler.Propagation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure builders of the Knative Services that serve an InferenceService's components, with KServe's mapping of
 * component fields onto Knative annotations and fields:
 *
 * <ul>
 *   <li>{@code minReplicas} to {@code min-scale} (KServe's default is 1; 0 allows scale to zero),
 *       {@code maxReplicas} to {@code max-scale};</li>
 *   <li>{@code scaleMetric} concurrency/rps to the KPA class with that metric, cpu/memory to the HPA class;
 *       {@code scaleTarget} to {@code target};</li>
 *   <li>{@code containerConcurrency} and {@code timeout} to the template's {@code containerConcurrency} and
 *       {@code timeoutSeconds}.</li>
 * </ul>
 */
public final class InferenceServiceResources {

    /** Where KServe records a predictor's model location on the revision template. */
    public static final String STORAGE_URI_ANNOTATION = "internal.serving.kserve.io/storage-initializer-sourceuri";
    public static final String MODEL_FORMAT_ANNOTATION = "serving.kserve.io/model-format";
    static final String PREDICTOR = "predictor";
    static final String TRANSFORMER = "transformer";

    private InferenceServiceResources() {
    }

    /** The Knative Service for {@code component} ({@code predictor} or {@code transformer}). */
    public static ObjectNode service(JsonNode isvc, String component, String domain) {
        JsonNode spec = isvc.path("spec").path(component);
        String isvcName = Meta.name(isvc);
        ObjectNode svc = Json.object();
        svc.put("apiVersion", ResourceTypes.SERVICE.apiVersion()).put("kind", ResourceTypes.SERVICE.kind());
        ObjectNode meta = svc.putObject("metadata");
        meta.put("name", Names.component(isvcName, component)).put("namespace", Meta.namespace(isvc));
        ObjectNode labels = meta.putObject("labels");
        Meta.labels(isvc).forEach(labels::put);
        labels.put(ServingLabels.INFERENCE_SERVICE, isvcName).put(ServingLabels.COMPONENT, component);
        Meta.setOwner(svc, isvc);

        ObjectNode template = svc.putObject("spec").putObject("template");
        ObjectNode tmeta = template.putObject("metadata");
        ObjectNode tlabels = tmeta.putObject("labels");
        Meta.strings(spec.get("labels")).forEach(tlabels::put);
        tlabels.put(ServingLabels.INFERENCE_SERVICE, isvcName).put(ServingLabels.COMPONENT, component);
        ObjectNode annotations = Propagation.inheritedAnnotations(isvc);
        Meta.strings(spec.get("annotations")).forEach(annotations::put);
        scaling(spec, KServeAnnotations.of(Meta.annotations(isvc)).mode(), annotations);
        JsonNode batcher = spec.get("batcher");
        if (batcher != null && batcher.isObject()) {
            // KServe runs a batcher sidecar; Tide's model server batches itself, so the fields become its annotations.
            annotations.put(ModelServing.BATCHING, "on");
            if (batcher.hasNonNull("maxBatchSize")) {
                annotations.put(ModelServing.MAX_BATCH_SIZE, batcher.get("maxBatchSize").asText());
            }
            if (batcher.hasNonNull("maxLatency")) {
                annotations.put(ModelServing.MAX_BATCH_DELAY, batcher.get("maxLatency").asText());
            }
        }

        ObjectNode tspec = template.putObject("spec");
        if (spec.hasNonNull("containerConcurrency")) {
            tspec.put("containerConcurrency", spec.get("containerConcurrency").asLong());
        }
        if (spec.hasNonNull("timeout")) {
            tspec.put("timeoutSeconds", spec.get("timeout").asLong());
        }
        if (spec.hasNonNull("serviceAccountName")) {
            // KServe's storage credentials: the account's Secrets (see ReplicaSpecs' StorageCredentials).
            tspec.put("serviceAccountName", spec.get("serviceAccountName").asText());
        }
        ArrayNode containers = tspec.putArray("containers");
        if (!spec.path("containers").isEmpty()) {
            spec.get("containers").forEach(c -> containers.add(c.deepCopy()));
            if (component.equals(TRANSFORMER)) {
                transformer((ObjectNode) containers.get(0), isvcName, Meta.namespace(isvc));
            }
        } else {
            modelServer(isvcName, spec, annotations, containers);
        }
        if (!annotations.isEmpty()) {
            tmeta.set("annotations", annotations);
        }
        return svc;
    }

    /**
     * What KServe gives a transformer's container: {@code PREDICTOR_HOST} and the arguments its model server reads
     * ({@code --model_name}, {@code --predictor_host}, {@code --http_port}), each unless the container sets it. The
     * predictor's host is its cluster-local name, {@code NAME-predictor.NAMESPACE}, which reaches it through Tide's
     * ingress (the replica's HTTP proxy, see ReplicaSpecs); the port is the replica's {@code $(PORT)}. A stock KServe
     * transformer's gRPC server would bind port 8081 in every replica, so {@code --enable_grpc false} is added too
     * unless the container sets {@code --enable_grpc} or {@code --grpc_port}.
     */
    static void transformer(ObjectNode container, String isvcName, String namespace) {
        String predictorHost = Names.component(isvcName, PREDICTOR) + "." + namespace;
        ArrayNode env = container.has("env") ? (ArrayNode) container.get("env") : container.putArray("env");
        boolean hasHost = false;
        for (JsonNode e : env) {
            hasHost |= "PREDICTOR_HOST".equals(Json.text(e, "name"));
        }
        if (!hasHost) {
            env.addObject().put("name", "PREDICTOR_HOST").put("value", predictorHost);
        }
        ArrayNode args = container.has("args") ? (ArrayNode) container.get("args") : container.putArray("args");
        java.util.function.Predicate<String> given = flag -> {
            for (JsonNode a : args) {
                if (a.asText().equals(flag) || a.asText().startsWith(flag + "=")) {
                    return true;
                }
            }
            return false;
        };
        if (!given.test("--model_name")) {
            args.add("--model_name").add(isvcName);
        }
        if (!given.test("--predictor_host")) {
            args.add("--predictor_host").add(predictorHost);
        }
        if (!given.test("--http_port")) {
            args.add("--http_port").add("$(PORT)");
        }
        if (!given.test("--enable_grpc") && !given.test("--grpc_port")) {
            args.add("--enable_grpc").add("false");
        }
    }

    /** KServe's component scaling fields, as Knative annotations. */
    static void scaling(JsonNode spec, KServeAnnotations.DeploymentMode mode, ObjectNode annotations) {
        long min = spec.hasNonNull("minReplicas") ? spec.get("minReplicas").asLong() : 1;
        annotations.put(AutoscalingAnnotations.MIN_SCALE, Long.toString(min));
        if (spec.hasNonNull("maxReplicas") && spec.get("maxReplicas").asLong() > 0) {
            annotations.put(AutoscalingAnnotations.MAX_SCALE, spec.get("maxReplicas").asText());
        }
        String metric = spec.hasNonNull("scaleMetric") ? spec.get("scaleMetric").asText() : null;
        if (mode == KServeAnnotations.DeploymentMode.STANDARD) {
            // KServe's raw deployment: an HPA, on CPU unless the component names memory, at the HPA class's default
            // utilisation (80%, as KServe's) unless it gives scaleTarget; the validator has refused minReplicas 0
            // and request metrics for this mode.
            annotations.put(AutoscalingAnnotations.CLASS, AutoscalerConfig.HPA_CLASS);
            annotations.put(AutoscalingAnnotations.METRIC, metric == null ? "cpu" : metric);
            if (spec.hasNonNull("scaleTarget")) {
                annotations.put(AutoscalingAnnotations.TARGET, targetText(spec.get("scaleTarget")));
            }
            return;
        }
        if ("cpu".equals(metric) || "memory".equals(metric)) {
            annotations.put(AutoscalingAnnotations.CLASS, AutoscalerConfig.HPA_CLASS);
            annotations.put(AutoscalingAnnotations.METRIC, metric);
        } else if (metric != null) {
            if (!annotations.has(AutoscalingAnnotations.CLASS)) {
                annotations.put(AutoscalingAnnotations.CLASS, AutoscalerConfig.KPA_CLASS);
            }
            annotations.put(AutoscalingAnnotations.METRIC, metric);
        }
        if (spec.hasNonNull("scaleTarget")) {
            annotations.put(AutoscalingAnnotations.TARGET, targetText(spec.get("scaleTarget")));
        }
    }

    private static String targetText(JsonNode t) {
        return t.isIntegralNumber() ? Long.toString(t.asLong()) : t.asText();
    }

    /**
     * The predictor container for a model: Tide's model server, told where the model is. The model spec is a
     * container, so its env, args and resources carry over.
     */
    private static void modelServer(String isvcName, JsonNode predictor, ObjectNode annotations, ArrayNode containers) {
        JsonNode model = predictor.get("model");
        String format = model == null ? null : Json.text(model.path("modelFormat"), "name");
        if (model == null) {
            for (String f : InferenceServiceValidator.FRAMEWORKS) {
                if (predictor.hasNonNull(f)) {
                    model = predictor.get(f);
                    format = f;
                    break;
                }
            }
        }
        if (model == null) {
            return;
        }
        ObjectNode c = containers.addObject();
        c.put("name", "kserve-container");
        // KServe's way to ask for gRPC: the model's port named h2c. Tide's model server answers REST and v2 gRPC on
        // one port, so the port keeps its name (the ingress then speaks h2c to it) and REST still works too.
        JsonNode port = model.path("ports").path(0);
        int containerPort = port.path("containerPort").asInt(8080);
        String portName = port.hasNonNull("name") ? port.get("name").asText() : "http1";
        List<String> args = new ArrayList<>(List.of("--model_name=" + isvcName, "--model_dir=/mnt/models",
                "--http_port=" + containerPort));
        model.path("args").forEach(a -> args.add(a.asText()));
        ArrayNode argList = c.putArray("args");
        args.forEach(argList::add);
        for (String f : List.of("env", "resources", "readinessProbe", "livenessProbe", "volumeMounts")) {
            if (model.has(f)) {
                c.set(f, model.get(f).deepCopy());
            }
        }
        c.putArray("ports").addObject().put("containerPort", containerPort).put("name", portName).put("protocol", "TCP");
        if (!c.has("readinessProbe")) {
            // The model server listens before its model is loaded; ready means loaded and warmed up (the Open
            // Inference Protocol's readiness endpoint), not a TCP connect, which is Knative's default probe.
            c.putObject("readinessProbe").putObject("httpGet").put("path", "/v2/health/ready");
        }
        String storageUri = Json.text(model, "storageUri");
        if (storageUri != null) {
            annotations.put(STORAGE_URI_ANNOTATION, storageUri);
        }
        if (format != null) {
            annotations.put(MODEL_FORMAT_ANNOTATION, format);
        }
        String runtimeVersion = Json.text(model, "runtimeVersion");
        if (runtimeVersion != null) {
            annotations.put("serving.kserve.io/runtime-version", runtimeVersion);
        }
    }

    /** KServe's condition on an InferenceService stopped by {@code serving.kserve.io/stop}, and its reason. */
    static final String STOPPED = "Stopped";

    /**
     * KServe-shaped status of a stopped InferenceService: no components; {@code Stopped} True; the components,
     * {@code IngressReady} and {@code Ready} False with reason {@code Stopped}, as KServe reports it.
     */
    public static ObjectNode stoppedStatus(JsonNode isvc, String domain, Instant now) {
        ObjectNode status = isvc.path("status").isObject() ? (ObjectNode) isvc.get("status").deepCopy() : Json.object();
        status.put("observedGeneration", Meta.generation(isvc));
        String host = Names.host(Meta.name(isvc), Meta.namespace(isvc), domain);
        status.put("url", "http://" + host);
        status.putObject("address").put("url", "http://" + host);
        status.remove("components");
        String why = "serving.kserve.io/stop is \"true\": no replicas run and requests are not routed; set it to \"false\" "
                + "or remove it to start again";
        dev.tide.api.Conditions.set(status, STOPPED, dev.tide.api.Conditions.TRUE, STOPPED, why, "", now);
        List<String> parts = new ArrayList<>(List.of("PredictorReady", "IngressReady"));
        if (isvc.path("spec").hasNonNull(TRANSFORMER)) {
            parts.add("TransformerReady");
        } else {
            dev.tide.api.Conditions.remove(status, "TransformerReady");
        }
        parts.add(dev.tide.api.Conditions.READY);
        for (String type : parts) {
            dev.tide.api.Conditions.set(status, type, dev.tide.api.Conditions.FALSE, STOPPED, why, "", now);
        }
        return status;
    }

    /** KServe-shaped status: the top URL, each component's URL and revisions, and Ready from the components. */
    public static ObjectNode status(JsonNode isvc, JsonNode predictor, JsonNode transformer, String domain, Instant now) {
        ObjectNode status = isvc.path("status").isObject() ? (ObjectNode) isvc.get("status").deepCopy() : Json.object();
        status.put("observedGeneration", Meta.generation(isvc));
        if (!dev.tide.api.Conditions.get(isvc, STOPPED).isMissingNode()) {
            // Resumed: KServe keeps the condition, now False.
            dev.tide.api.Conditions.set(status, STOPPED, dev.tide.api.Conditions.FALSE, "", "", "", now);
        }
        String host = Names.host(Meta.name(isvc), Meta.namespace(isvc), domain);
        status.put("url", "http://" + host);
        status.putObject("address").put("url", "http://" + host);
        ObjectNode components = status.putObject("components");
        component(components, PREDICTOR, predictor);
        List<String> parts = new ArrayList<>(List.of("PredictorReady"));
        Propagation.fromChildReady(status, "PredictorReady", predictor, "Service", now);
        if (transformer != null || isvc.path("spec").hasNonNull(TRANSFORMER)) {
            component(components, TRANSFORMER, transformer);
            Propagation.fromChildReady(status, "TransformerReady", transformer, "Service", now);
            parts.add("TransformerReady");
        } else {
            dev.tide.api.Conditions.remove(status, "TransformerReady");
        }
        Propagation.fromChildReady(status, "IngressReady", predictor, "Service", now);
        parts.add("IngressReady");
        Propagation.readyFrom(status, parts, now);
        return status;
    }

    private static void component(ObjectNode components, String name, JsonNode svc) {
        ObjectNode c = components.putObject(name);
        if (svc == null) {
            return;
        }
        JsonNode s = svc.path("status");
        if (s.hasNonNull("url")) {
            c.set("url", s.get("url"));
        }
        if (s.hasNonNull("latestCreatedRevisionName")) {
            c.set("latestCreatedRevision", s.get("latestCreatedRevisionName"));
        }
        if (s.hasNonNull("latestReadyRevisionName")) {
            c.set("latestReadyRevision", s.get("latestReadyRevisionName"));
        }
        if (s.has("traffic")) {
            c.set("traffic", s.get("traffic").deepCopy());
        }
    }
}
