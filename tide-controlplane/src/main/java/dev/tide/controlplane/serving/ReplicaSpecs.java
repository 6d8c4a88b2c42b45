package dev.tide.controlplane.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.resources.LocalLimits;
import dev.tide.api.resources.Quantity;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.Resources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a Revision runs as a local process. Pure: the revision and a way to read Secrets and ConfigMaps in, a replica
 * spec or the reason it cannot run out.
 *
 * <p>The container listens on {@code $PORT}, not on its {@code containerPort} (several replicas share the machine),
 * so a probe on the container port, or on port 0, probes the replica's port.
 */
public final class ReplicaSpecs {

    /** The outcome: something to run, or why not. */
    public sealed interface Result {
    }

    /**
     * @param user   who the replicas run as, and the condition that says so
     * @param limits whether the container's limits are held, and how, for the revision's condition; {@code null} when
     *               the container has none
     */
    public record Runnable(ReplicaSpec spec, ReplicaUsers.Decision user, LimitsDecision limits) implements Result {
    }

    /**
     * What the revision's {@code ResourceLimitsEnforced} condition says: True (Info) when every limit written is held,
     * False (Warning) naming those that are stored only.
     */
    public record LimitsDecision(String status, String reason, String message) {
        public String severity() {
            return dev.tide.api.Conditions.TRUE.equals(status) ? "Info" : "Warning";
        }
    }

    /** @param reason a CamelCase condition reason */
    public record NotRunnable(String reason, String message) implements Result {
    }

    private ReplicaSpecs() {
    }

    /**
     * @param timeout         the revision's request timeout, as its plan resolved it: how long a leaving replica may
     *                        finish its requests
     * @param secrets         a Secret of the revision's namespace by name
     * @param configMaps      a ConfigMap of the revision's namespace by name
     * @param serviceAccounts a ServiceAccount of the revision's namespace by name: its Secrets carry the model
     *                        server's storage credentials
     * @param models          Tide's model server, for KServe predictors that give a model and no command
     * @param users           who replicas run as
     * @param placement       where replicas can run, and which limits hold there
     */
    public static Result from(JsonNode revision, Duration timeout, Function<String, Optional<? extends JsonNode>> secrets,
                              Function<String, Optional<? extends JsonNode>> configMaps,
                              Function<String, Optional<? extends JsonNode>> serviceAccounts, ModelServing models,
                              ReplicaUsers users, Placement placement) {
        LocalLimits limits = placement.local();
        JsonNode containers = revision.path("spec").path("containers");
        if (containers.isEmpty()) {
            return new NotRunnable("ContainerMissing", "spec.containers is empty: the revision has nothing to run");
        }
        if (containers.size() > 1) {
            return new NotRunnable("MultiContainerUnsupported", "Tide's process runtime runs one container per revision; "
                    + "this revision has " + containers.size());
        }
        JsonNode c = containers.get(0);
        List<String> command = strings(c.path("command"));
        List<String> args = strings(c.path("args"));
        boolean modelServer = false;
        Map<String, String> annotations = Meta.annotations(revision);
        String format = annotations.get(MODEL_FORMAT);
        if (command.isEmpty() && format != null) {
            if (!models.formats().contains(format.toLowerCase(java.util.Locale.ROOT))) {
                return new NotRunnable("RuntimeUnavailable", "Tide has no model server for modelFormat \"" + format
                        + "\"; its runtimes serve " + (models.formats().isEmpty() ? "no formats" : models.formats().stream().sorted().toList())
                        + ". Give the predictor its own containers with a command to serve it");
            }
            String storageUri = annotations.get(STORAGE_URI);
            if (storageUri == null) {
                return new NotRunnable("StorageUriMissing", "the predictor's model has no storageUri: the model server has nothing to load");
            }

            command = models.command();
            args = modelServerArgs(args, storageUri, annotations, c, models);
            modelServer = true;
        }
        if (command.isEmpty() && placement.cluster() && Json.text(c, "image") != null) {
            return PodReplicaSpecs.from(revision, c, timeout);
        }
        if (command.isEmpty()) {
            String image = Json.text(c, "image");
            return new NotRunnable("CommandMissing", image == null
                    ? "the container has neither a command nor an image: a local replica needs a command"
                    : "locally runnable containers need a command (image \"" + image
                            + "\" alone cannot run as a local process; start Tide with --kubeconfig to run images on Kubernetes)");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : c.path("env")) {
            String name = Json.text(e, "name");
            if (e.hasNonNull("value")) {
                env.put(name, e.get("value").asText());
                continue;
            }
            JsonNode from = e.path("valueFrom");
            for (String kind : List.of("secretKeyRef", "configMapKeyRef")) {
                JsonNode ref = from.get(kind);
                if (ref == null) {
                    continue;
                }
                String objName = Json.text(ref, "name");
                String key = Json.text(ref, "key");
                boolean optional = ref.path("optional").asBoolean(false);
                boolean secret = kind.equals("secretKeyRef");
                Optional<? extends JsonNode> obj = (secret ? secrets : configMaps).apply(objName);
                JsonNode value = obj.map(o -> o.path("data").get(key)).orElse(null);
                if (value == null || value.isNull()) {
                    if (optional) {
                        continue;
                    }
                    return new NotRunnable(secret ? "SecretMissing" : "ConfigMapMissing", "env " + name + ": "
                            + (secret ? "Secret" : "ConfigMap") + " \"" + objName + "\"" + (obj.isPresent() ? " has no key \"" + key + "\"" : " not found"));
                }
                env.put(name, secret ? new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8) : value.asText());
            }
        }
        int containerPort = c.path("ports").path(0).path("containerPort").asInt(0);
        ProbeSpec readiness = probe(c.get("readinessProbe"), containerPort, false);
        if (modelServer) {
            Optional<NotRunnable> credentials = StorageCredentials.resolve(revision, serviceAccounts, secrets, env);
            if (credentials.isPresent()) {
                return credentials.get();
            }
            Optional<String> refused = models.storage().refusal(annotations.get(STORAGE_URI), env);
            if (refused.isPresent()) {
                return new NotRunnable("StorageRefused", refused.get());
            }
            models.env().forEach(env::putIfAbsent);
        }
        if (TRANSFORMER.equals(Meta.labels(revision).get(ServingLabels.COMPONENT))
                && Meta.labels(revision).containsKey(ServingLabels.INFERENCE_SERVICE)) {
            transformerProxy(models.ingress().get()).forEach(env::putIfAbsent);
        }
        VolumeMounts.Resolved volumes = VolumeMounts.resolve(revision.path("spec"), c, models.volumes(), secrets, configMaps,
                users.tideUid() == 0);
        if (volumes.refusal() != null) {
            return volumes.refusal();
        }
        ProbeSpec liveness = c.hasNonNull("livenessProbe") ? probe(c.get("livenessProbe"), containerPort, true) : null;
        String configuration = Meta.labels(revision).getOrDefault(ServingLabels.CONFIGURATION, Meta.name(revision));
        String service = Meta.labels(revision).getOrDefault(ServingLabels.SERVICE, configuration);
        ReplicaUsers.Decision user = users.decide(revision.path("spec"), c, modelServer);
        if (user.refusal() != null) {
            // The kubelet's words for the same refusal.
            return new NotRunnable("CreateContainerConfigError", user.refusal());
        }
        return new Runnable(new ReplicaSpec(Meta.namespace(revision), service, configuration, Meta.name(revision), command,
                args, env, Json.text(c, "workingDir"), readiness == null ? ProbeSpec.defaultReadiness() : readiness,
                liveness, timeout, timeout.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : timeout, user.runAs(),
                user.noNewPrivileges(), resources(c), volumes.mounts()), user, limits(c, modelServer, limits));
    }

    /**
     * The container's memory limit in bytes and CPU limit and request in millicores (validated as quantities at
     * admission; a CPU limit stands for a missing request, as in Kubernetes). Worked example: {@code limits: {memory:
     * 64Mi, cpu: 250m}} gives 67,108,864 bytes, 250m limit and 250m request.
     */
    static Resources resources(JsonNode container) {
        JsonNode r = container.path("resources");
        long cpuLimit = millis(r.path("limits").get("cpu"));
        long cpuRequest = millis(r.path("requests").get("cpu"));
        return new Resources(amount(r.path("limits").get("memory"), 1), cpuLimit, cpuRequest > 0 ? cpuRequest : cpuLimit);
    }

    private static long millis(JsonNode cpu) {
        return amount(cpu, 1000);
    }

    private static long amount(JsonNode quantity, double scale) {
        if (quantity == null || !quantity.isValueNode()) {
            return 0;
        }
        return Quantity.parse(quantity.asText()).map(v -> (long) Math.ceil(v * scale)).orElse(0L);
    }

    static final String MODEL_FORMAT = "serving.kserve.io/model-format";
    static final String STORAGE_URI = "internal.serving.kserve.io/storage-initializer-sourceuri";

    /**
     * The model server's options: KServe's {@code --model_name} from the container's args, the storage URI in place of
     * {@code --model_dir=/mnt/models} (the server fetches through the shared cache instead of a storage-initializer
     * container), batching from annotations, a GPU when the container's limits ask for one, and the user's other args.
     */
    private static final String TRANSFORMER = "transformer";

    /**
     * A KServe transformer calls its predictor at {@code http://NAME-predictor.NAMESPACE/...}, a cluster-local name no
     * resolver here knows. Its HTTP client (httpx, requests, Go's and the JDK's honour these variables) sends such
     * requests to Tide's ingress as a proxy, which routes them by that host; loopback is not proxied, so the
     * transformer's own probes and local calls go direct.
     */
    static Map<String, String> transformerProxy(String ingress) {
        if (ingress == null || ingress.isEmpty()) {
            return Map.of();
        }
        String local = "localhost,127.0.0.1,::1";
        return Map.of("HTTP_PROXY", ingress, "http_proxy", ingress, "NO_PROXY", local, "no_proxy", local);
    }

    private static List<String> modelServerArgs(List<String> containerArgs, String storageUri, Map<String, String> annotations,
                                                JsonNode container, ModelServing models) {
        List<String> out = new ArrayList<>();
        for (String a : containerArgs) {
            if (a.startsWith("--model_dir") || a.startsWith("--http_port")) {
                continue;
            }
            out.add(a);
        }
        out.add("--storage_uri=" + storageUri);
        out.add("--cache_dir=" + models.cacheDir());
        models.volumes().forEach((name, dir) -> out.add("--volume=" + name + "=" + dir));
        out.addAll(models.cacheArgs());
        out.addAll(models.storage().args());
        if (annotations.containsKey(ModelServing.BATCHING)) {
            out.add("--batching=" + annotations.get(ModelServing.BATCHING));
        }
        if (annotations.containsKey(ModelServing.MAX_BATCH_SIZE)) {
            out.add("--max_batch_size=" + annotations.get(ModelServing.MAX_BATCH_SIZE));
        }
        if (annotations.containsKey(ModelServing.MAX_BATCH_DELAY)) {
            out.add("--max_batch_delay_ms=" + annotations.get(ModelServing.MAX_BATCH_DELAY));
        }
        JsonNode limits = container.path("resources").path("limits");
        if (limits.has("nvidia.com/gpu") && limits.get("nvidia.com/gpu").asDouble(0) > 0) {
            out.add("--gpu=true");
        }
        return out;
    }

    /**
     * Which of the container's limits are held, and how. Worked example: limits cpu 2 and ephemeral-storage 1Gi on a
     * machine without a CPU cgroup give False, LimitsNotEnforced, "resources.limits.cpu (2): stored but not enforced
     * ...; resources.limits.ephemeral-storage (1Gi): stored but not enforced ...".
     */
    private static LimitsDecision limits(JsonNode container, boolean modelServer, LocalLimits local) {
        Map<String, String> written = new LinkedHashMap<>();
        container.path("resources").path("limits").properties().forEach(e -> written.put(e.getKey(), e.getValue().asText()));
        if (written.isEmpty()) {
            return null;
        }
        List<String> held = new ArrayList<>();
        List<String> notHeld = new ArrayList<>();
        written.forEach((resource, value) -> {
            String what = "resources.limits." + resource + " (" + value + "): ";
            if (local.enforces(resource)) {
                held.add(what + local.how(resource));
            } else if (modelServer && resource.equals("nvidia.com/gpu")) {
                held.add(what + "acted on by Tide's model server, which runs the model on a GPU");
            } else {
                notHeld.add(resource);
            }
        });
        if (notHeld.isEmpty()) {
            return new LimitsDecision(dev.tide.api.Conditions.TRUE, "Enforced", String.join("; ", held));
        }
        List<String> parts = new ArrayList<>();
        notHeld.forEach(r -> parts.add("resources.limits." + r + " (" + written.get(r) + "): " + local.whyNot(r)));
        return new LimitsDecision(dev.tide.api.Conditions.FALSE, notHeld.equals(List.of("cpu")) ? "CPULimitNotEnforced"
                : "LimitsNotEnforced", String.join("; ", parts));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Kubernetes' probe fields with Kubernetes' defaults; Knative's readiness period 0 means aggressive. */
    static ProbeSpec probe(JsonNode p, int containerPort, boolean liveness) {
        if (p == null || p.isNull()) {
            return null;
        }
        ProbeSpec.Handler handler;
        if (p.hasNonNull("httpGet")) {
            handler = new ProbeSpec.HttpGet(Json.text(p.get("httpGet"), "path"), port(p.get("httpGet"), containerPort));
        } else if (p.hasNonNull("exec")) {
            handler = new ProbeSpec.Exec(strings(p.get("exec").path("command")));
        } else if (p.hasNonNull("tcpSocket")) {
            handler = new ProbeSpec.TcpSocket(port(p.get("tcpSocket"), containerPort));
        } else if (p.hasNonNull("grpc")) {
            String service = Json.text(p.get("grpc"), "service");
            handler = new ProbeSpec.Grpc(port(p.get("grpc"), containerPort), service == null ? "" : service);
        } else {
            handler = new ProbeSpec.TcpSocket(0);
        }
        long period = p.path("periodSeconds").asLong(liveness ? 10 : 0);
        return new ProbeSpec(handler, Duration.ofSeconds(p.path("initialDelaySeconds").asLong(0)), Duration.ofSeconds(period),
                Duration.ofSeconds(p.path("timeoutSeconds").asLong(1)), (int) p.path("successThreshold").asLong(1),
                (int) p.path("failureThreshold").asLong(3));
    }

    /** The replica's own port (0) for an unset port, port 0 or the container port; any other port as written. */
    private static int port(JsonNode handler, int containerPort) {
        JsonNode port = handler.get("port");
        if (port == null || !port.isNumber()) {
            return 0;
        }
        int p = port.asInt();
        return p == containerPort ? 0 : p;
    }
}
