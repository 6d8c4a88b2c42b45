package dev.tide.controlplane.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.runtime.PodFields;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.ReplicaSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an image-only container runs as on Kubernetes: its image, command and args, env values, container port,
 * readiness probe and resources as written (extended resources included), which the cluster's kubelet acts on, and where the cluster may place it (nodeSelector, tolerations,
 * affinity, as written) with the revision's annotations for the platform (ACK reads {@code k8s.aliyun.com/...}). What Tide's Kubernetes runtime does not pass to pods yet is
 * refused by name ({@code PodFieldsUnsupported}), never dropped. Pure.
 */
final class PodReplicaSpecs {

    /** The container fields passed to pods (or Tide's to act on): any other one set is refused by name. */
    private static final java.util.Set<String> CONTAINER_FIELDS = java.util.Set.of("name", "image", "command", "args", "env",
            "ports", "workingDir", "resources", "readinessProbe");
    /** The revision's fields passed to pods, or acted on by Tide's gateway: any other one set is refused by name. */
    private static final java.util.Set<String> POD_FIELDS = java.util.Set.of("containers", "nodeSelector", "tolerations",
            "affinity", "containerConcurrency", "timeoutSeconds", "responseStartTimeoutSeconds", "idleTimeoutSeconds");
    /** Annotation prefixes that are Knative's and Tide's own bookkeeping, not the platform's: not copied to pods. */
    private static final List<String> OWN_ANNOTATIONS = List.of("serving.knative.dev/", "internal.serving.kserve.io/",
            "tide.example/");

    private PodReplicaSpecs() {
    }

    static ReplicaSpecs.Result from(JsonNode revision, JsonNode container, Duration timeout) {
        JsonNode spec = revision.path("spec");
        List<String> unsupported = new ArrayList<>();
        // An allow list, so that a field added to the schema later is refused until pods get it, never dropped.
        container.properties().stream().map(java.util.Map.Entry::getKey).filter(f -> !CONTAINER_FIELDS.contains(f) && set(container, f))
                .sorted().forEach(f -> unsupported.add("containers[0]." + f));
        spec.properties().stream().map(java.util.Map.Entry::getKey).filter(f -> !POD_FIELDS.contains(f) && set(spec, f))
                .sorted().forEach(unsupported::add);
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            if (e.hasNonNull("valueFrom")) {
                unsupported.add("containers[0].env[" + Json.text(e, "name") + "].valueFrom");
            } else {
                env.put(Json.text(e, "name"), e.path("value").asText(""));
            }
        }
        if (!unsupported.isEmpty()) {
            return new ReplicaSpecs.NotRunnable("PodFieldsUnsupported", "Tide's Kubernetes runtime does not pass these to "
                    + "pods yet: " + String.join(", ", unsupported) + "; give the container a command to run it locally, or remove them");
        }
        int port = container.path("ports").path(0).path("containerPort").asInt(0);
        String configuration = Meta.labels(revision).getOrDefault(ServingLabels.CONFIGURATION, Meta.name(revision));
        String service = Meta.labels(revision).getOrDefault(ServingLabels.SERVICE, configuration);
        List<String> command = new ArrayList<>();
        container.path("command").forEach(n -> command.add(n.asText()));
        List<String> args = new ArrayList<>();
        container.path("args").forEach(n -> args.add(n.asText()));
        Duration grace = timeout.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : timeout;
        Map<String, String> annotations = new LinkedHashMap<>();
        Meta.annotations(revision).forEach((k, v) -> {
            if (OWN_ANNOTATIONS.stream().noneMatch(k::startsWith)) {
                annotations.put(k, v);
            }
        });
        PodFields pod = new PodFields(Meta.strings(spec.get("nodeSelector")),
                spec.hasNonNull("tolerations") ? Json.write(spec.get("tolerations")) : null,
                spec.hasNonNull("affinity") ? Json.write(spec.get("affinity")) : null, annotations, json(container, "resources"),
                readiness(container.get("readinessProbe"), port > 0 ? port : 8080));
        ReplicaSpec replica = new ReplicaSpec(Meta.namespace(revision), service, configuration, Meta.name(revision), command, args,
                env, Json.text(container, "workingDir"), ProbeSpec.defaultReadiness(), null, timeout, grace, null, false,
                ReplicaSpecs.resources(container), List.of(), Json.text(container, "image"), port, pod);
        ReplicaUsers.Decision user = new ReplicaUsers.Decision(null, false, dev.tide.api.Conditions.TRUE, "PodSecurityContext",
                "the pod runs as its image and the cluster's admission say", null);
        boolean limited = !container.path("resources").path("limits").isEmpty();
        return new ReplicaSpecs.Runnable(replica, user, limited ? new ReplicaSpecs.LimitsDecision(dev.tide.api.Conditions.TRUE,
                "Enforced", "enforced by the kubelet: the replica is a pod") : null);
    }

    /**
     * The readiness probe for the kubelet, or {@code null} for Tide's own TCP probe of the container port. Knative's
     * default, {@code tcpSocket} on port 0 (what admission writes when the user gives none), is exactly Tide's own
     * probe. A probe of the user's own goes to the kubelet with port 0 or no port meaning the container port, as
     * queue-proxy reads it. Worked example: {@code httpGet: {path: /healthz}} on container port 9000 is
     * {@code httpGet: {path: /healthz, port: 9000}}.
     */
    static String readiness(JsonNode probe, int containerPort) {
        if (probe == null || !probe.isObject()) {
            return null;
        }
        com.fasterxml.jackson.databind.node.ObjectNode p = (com.fasterxml.jackson.databind.node.ObjectNode) probe.deepCopy();
        JsonNode tcp = p.get("tcpSocket");
        boolean knativeDefault = tcp != null && tcp.path("port").asInt(0) == 0 && tcp.size() <= 1
                && p.size() == (p.has("successThreshold") ? 2 : 1) && p.path("successThreshold").asInt(1) == 1;
        if (knativeDefault) {
            return null;
        }
        for (String handler : List.of("httpGet", "tcpSocket", "grpc")) {
            if (p.get(handler) instanceof com.fasterxml.jackson.databind.node.ObjectNode h
                    && (!h.has("port") || h.path("port").isInt() && h.path("port").asInt() == 0)) {
                h.put("port", containerPort);
            }
        }
        return Json.write(p);
    }

    /** The field as it was written, in JSON, or {@code null} when unset. */
    private static String json(JsonNode node, String field) {
        return set(node, field) ? Json.write(node.get(field)) : null;
    }

    private static boolean set(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty());
    }
}
