package dev.tide.controlplane.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Meta;
import dev.tide.api.config.ClusterConfig;
import dev.tide.api.config.DefaultsConfig;
import dev.tide.api.resources.ResourceRequests;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.controlplane.events.EventRecorder;
import dev.tide.controlplane.serving.ModelServing;
import dev.tide.controlplane.serving.Placement;
import dev.tide.controlplane.serving.ReplicaSpecs;
import dev.tide.controlplane.serving.ReplicaUsers;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Builds a {@link RevisionPlan}: pure, the revision's namespace's Secrets, ConfigMaps and ServiceAccounts passed in as
 * lookups. Every rule of the serving path is applied here once: the autoscaler spec from the annotations, the one
 * timeout rule, {@code containerConcurrency}, HTTP/2 detection, and the replica spec.
 */
public final class RevisionPlans {

    /** The revision's namespace's objects by name. */
    public record Lookups(Function<String, Optional<? extends JsonNode>> secrets, Function<String, Optional<? extends JsonNode>> configMaps,
                          Function<String, Optional<? extends JsonNode>> serviceAccounts) {
    }

    private RevisionPlans() {
    }

    public static RevisionPlan plan(JsonNode revision, boolean routed, ClusterConfig cluster, Lookups lookups, ModelServing models,
                                    ReplicaUsers users) {
        return plan(revision, routed, cluster, lookups, models, users, Placement.LOCAL);
    }

    /** @param placement where replicas can run, and which limits hold there */
    public static RevisionPlan plan(JsonNode revision, boolean routed, ClusterConfig cluster, Lookups lookups, ModelServing models,
                                    ReplicaUsers users, Placement placement) {
        JsonNode spec = revision.path("spec");
        Map<String, String> labels = Meta.labels(revision);
        String configuration = labels.getOrDefault(ServingLabels.CONFIGURATION, "");
        int containerConcurrency = (int) Math.min(Integer.MAX_VALUE, spec.path("containerConcurrency").asLong(0));
        Duration timeout = timeout(revision, cluster.defaults());
        return new RevisionPlan(Meta.namespace(revision), Meta.name(revision), EventRecorder.Reference.of(revision),
                labels.getOrDefault(ServingLabels.SERVICE, configuration), configuration, routed, containerConcurrency, timeout,
                speaksH2c(revision),
                ScalingSpecs.resolve(Meta.strings(revision.path("metadata").get("annotations")), containerConcurrency,
                        ResourceRequests.of(spec.path("containers").path(0)), cluster, routed),
                ReplicaSpecs.from(revision, timeout, lookups.secrets(), lookups.configMaps(), lookups.serviceAccounts(), models, users,
                        placement));
    }

    /**
     * The revision's {@code timeoutSeconds} (unset or 0: config-defaults' {@code revision-timeout-seconds}), capped by
     * {@code max-revision-timeout-seconds} as it is now. Admission already refuses a larger value; the cap here holds
     * when the maximum is lowered after the revision was made. Example: timeoutSeconds 900 admitted under a maximum of
     * 1200, maximum then set to 600: requests time out after 600 s.
     */
    public static Duration timeout(JsonNode revision, DefaultsConfig defaults) {
        long seconds = revision.path("spec").path("timeoutSeconds").asLong(0);
        if (seconds <= 0) {
            seconds = defaults.revisionTimeoutSeconds();
        }
        return Duration.ofSeconds(Math.min(seconds, defaults.maxRevisionTimeoutSeconds()));
    }

    /** Whether the revision's serving container names its port {@code h2c}: Knative's sign that it speaks HTTP/2. */
    static boolean speaksH2c(JsonNode revision) {
        for (JsonNode container : revision.path("spec").path("containers")) {
            for (JsonNode port : container.path("ports")) {
                if ("h2c".equals(port.path("name").asText())) {
                    return true;
                }
            }
        }
        return false;
    }
}
