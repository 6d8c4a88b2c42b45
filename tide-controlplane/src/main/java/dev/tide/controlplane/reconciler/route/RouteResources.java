package dev.tide.controlplane.reconciler.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.naming.Names;
import dev.tide.api.serving.v1.TrafficTarget;
import dev.tide.controlplane.reconciler.Propagation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Pure traffic resolution and status of a Route. */
public final class RouteResources {

    static final String ALL_TRAFFIC_ASSIGNED = "AllTrafficAssigned";
    static final String INGRESS_READY = "IngressReady";

    /** The outcome of resolving a Route's traffic. */
    sealed interface Resolution {
    }

    /** Every target resolved to a revision. */
    record Resolved(ArrayNode traffic) implements Resolution {
    }

    /** Why traffic could not be resolved: Unknown while waiting for a revision, False when a name is wrong. */
    record Blocked(String status, String reason, String message) implements Resolution {
    }

    private RouteResources() {
    }

    /**
     * Resolves {@code spec.traffic} into concrete revisions: a target following the latest revision gets its
     * Configuration's latest ready revision. Tagged targets get their own URL.
     *
     * @return the resolved targets, or what blocks them
     */
    static Resolution resolve(JsonNode route, Function<String, Optional<? extends JsonNode>> configurations,
                          Function<String, Optional<? extends JsonNode>> revisions, String domain) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (JsonNode node : route.path("spec").path("traffic")) {
            TrafficTarget t = TrafficTarget.from(node);
            String revision;
            if (t.followsLatest() || (t.revisionName() == null && t.configurationName() != null)) {
                Optional<? extends JsonNode> cfg = configurations.apply(t.configurationName());
                if (cfg.isEmpty()) {
                    return new Blocked(Conditions.FALSE, "ConfigurationMissing",
                            "Configuration \"" + t.configurationName() + "\" referenced in traffic not found.");
                }
                revision = Json.text(cfg.get().path("status"), "latestReadyRevisionName");
                if (revision == null) {
                    boolean failed = Conditions.FALSE.equals(Conditions.status(cfg.get(), Conditions.READY));
                    return new Blocked(failed ? Conditions.FALSE : Conditions.UNKNOWN, "RevisionMissing",
                            "Configuration \"" + t.configurationName() + "\" does not have any ready Revision.");
                }
            } else {
                revision = t.revisionName();
                Optional<? extends JsonNode> rev = revisions.apply(revision);
                if (rev.isEmpty()) {
                    return new Blocked(Conditions.FALSE, "RevisionMissing", "Revision \"" + revision + "\" referenced in traffic not found.");
                }
                String ready = Conditions.status(rev.get(), Conditions.READY);
                if (!Conditions.TRUE.equals(ready)) {
                    return new Blocked(ready, "RevisionMissing", "Revision \"" + revision + "\" is not ready.");
                }
            }
            String url = t.tag() == null ? null
                    : "http://" + Names.tagHost(t.tag(), Meta.name(route), Meta.namespace(route), domain);
            out.add(new TrafficTarget(t.tag(), revision, null, t.followsLatest(), t.percentOrZero(), url).toJson());
        }
        return new Resolved(out);
    }

    /**
     * The Route's status: its URL always; its traffic once every target resolves (until then the last resolved
     * traffic stays, so requests keep flowing during a rollout).
     */
    static ObjectNode status(JsonNode route, Resolution resolution, String domain, Ingress ingress, Instant now) {
        ObjectNode status = route.path("status").isObject() ? (ObjectNode) route.get("status").deepCopy() : Json.object();
        status.put("observedGeneration", Meta.generation(route));
        String host = Names.host(Meta.name(route), Meta.namespace(route), domain);
        status.put("url", "http://" + host);
        status.putObject("address").put("url", "http://" + host);
        if (resolution instanceof Resolved(ArrayNode traffic)) {
            status.set("traffic", traffic);
            Conditions.set(status, ALL_TRAFFIC_ASSIGNED, Conditions.TRUE, null, null, "", now);
            if (ingress.programmed(Meta.namespace(route), Meta.name(route), traffic)) {
                Conditions.set(status, INGRESS_READY, Conditions.TRUE, null, null, "", now);
            } else {
                Conditions.set(status, INGRESS_READY, Conditions.UNKNOWN, "IngressNotConfigured",
                        "the ingress has not yet been programmed with this traffic", "", now);
            }
        } else if (resolution instanceof Blocked b) {
            Conditions.set(status, ALL_TRAFFIC_ASSIGNED, b.status(), b.reason(), b.message(), "", now);
            Conditions.set(status, INGRESS_READY, Conditions.UNKNOWN, "TrafficNotAssigned",
                    "the ingress is programmed once all traffic targets resolve", "", now);
        }
        Propagation.readyFrom(status, List.of(ALL_TRAFFIC_ASSIGNED, INGRESS_READY), now);
        return status;
    }
}
