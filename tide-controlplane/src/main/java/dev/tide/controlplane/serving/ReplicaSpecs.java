package dev.tide.controlplane.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.ReplicaSpec;
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

    public record Runnable(ReplicaSpec spec) implements Result {
    }

    /** @param reason a CamelCase condition reason */
    public record NotRunnable(String reason, String message) implements Result {
    }

    private ReplicaSpecs() {
    }

    /**
     * @param secrets    a Secret of the revision's namespace by name
     * @param configMaps a ConfigMap of the revision's namespace by name
     */
    public static Result from(JsonNode revision, Function<String, Optional<? extends JsonNode>> secrets,
                              Function<String, Optional<? extends JsonNode>> configMaps) {
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
        if (command.isEmpty()) {
            String format = Meta.annotations(revision).get("serving.kserve.io/model-format");
            if (format != null) {
                return new NotRunnable("RuntimeUnavailable", "no model server for modelFormat \"" + format
                        + "\" runs in this Tide yet; give the predictor its own containers with a command to serve it now");
            }
            String image = Json.text(c, "image");
            return new NotRunnable("CommandMissing", image == null
                    ? "the container has neither a command nor an image: a local replica needs a command"
                    : "locally runnable containers need a command (image \"" + image
                            + "\" alone cannot run as a local process; Tide's Kubernetes runtime runs images)");
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
        long timeout = revision.path("spec").path("timeoutSeconds").asLong(300);
        ProbeSpec readiness = probe(c.get("readinessProbe"), containerPort, false);
        ProbeSpec liveness = c.hasNonNull("livenessProbe") ? probe(c.get("livenessProbe"), containerPort, true) : null;
        String configuration = Meta.labels(revision).getOrDefault(ServingLabels.CONFIGURATION, Meta.name(revision));
        String service = Meta.labels(revision).getOrDefault(ServingLabels.SERVICE, configuration);
        return new Runnable(new ReplicaSpec(Meta.namespace(revision), service, configuration, Meta.name(revision), command,
                strings(c.path("args")), env, Json.text(c, "workingDir"), readiness == null ? ProbeSpec.defaultReadiness() : readiness,
                liveness, Duration.ofSeconds(timeout), Duration.ofSeconds(Math.max(1, timeout))));
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
