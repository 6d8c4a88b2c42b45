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
 * What an image-only container runs as on Kubernetes: its image, command and args, env values, container port and
 * resources, which the cluster's kubelet holds it to, and where the cluster may place it (nodeSelector, tolerations,
 * affinity, as written) with the revision's annotations for the platform (ACK reads {@code k8s.aliyun.com/...}). What Tide's Kubernetes runtime does not pass to pods yet is
 * refused by name ({@code PodFieldsUnsupported}), never dropped. Pure.
 */
final class PodReplicaSpecs {

    /** Container fields not yet passed to pods. */
    private static final List<String> CONTAINER_FIELDS = List.of("volumeMounts", "livenessProbe", "startupProbe",
            "securityContext", "envFrom", "lifecycle");
    /** Pod fields not yet passed to pods. */
    private static final List<String> POD_FIELDS = List.of("volumes", "serviceAccountName", "imagePullSecrets",
            "securityContext", "runtimeClassName", "priorityClassName", "initContainers");
    /** Annotation prefixes that are Knative's and Tide's own bookkeeping, not the platform's: not copied to pods. */
    private static final List<String> OWN_ANNOTATIONS = List.of("serving.knative.dev/", "internal.serving.kserve.io/",
            "tide.example/");

    private PodReplicaSpecs() {
    }

    static ReplicaSpecs.Result from(JsonNode revision, JsonNode container, Duration timeout) {
        JsonNode spec = revision.path("spec");
        List<String> unsupported = new ArrayList<>();
        CONTAINER_FIELDS.stream().filter(f -> set(container, f)).forEach(f -> unsupported.add("containers[0]." + f));
        POD_FIELDS.stream().filter(f -> set(spec, f)).forEach(unsupported::add);
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
                spec.hasNonNull("affinity") ? Json.write(spec.get("affinity")) : null, annotations);
        ReplicaSpec replica = new ReplicaSpec(Meta.namespace(revision), service, configuration, Meta.name(revision), command, args,
                env, Json.text(container, "workingDir"), ProbeSpec.defaultReadiness(), null, timeout, grace, null, false,
                ReplicaSpecs.resources(container), List.of(), Json.text(container, "image"), port, pod);
        ReplicaUsers.Decision user = new ReplicaUsers.Decision(null, false, dev.tide.api.Conditions.TRUE, "PodSecurityContext",
                "the pod runs as its image and the cluster's admission say", null);
        boolean limited = !container.path("resources").path("limits").isEmpty();
        return new ReplicaSpecs.Runnable(replica, user, limited ? new ReplicaSpecs.LimitsDecision(dev.tide.api.Conditions.TRUE,
                "Enforced", "enforced by the kubelet: the replica is a pod") : null);
    }

    private static boolean set(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty());
    }
}
