package dev.tide.controlplane.reconciler.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.controlplane.reconciler.Propagation;
import java.time.Instant;
import java.util.List;

/** Pure builders of a Knative Service's children and of its status. */
public final class ServiceResources {

    static final String CONFIGURATIONS_READY = "ConfigurationsReady";
    static final String ROUTES_READY = "RoutesReady";

    private ServiceResources() {
    }

    /** The Configuration named after the Service, carrying its template. */
    public static ObjectNode configuration(JsonNode svc) {
        ObjectNode cfg = child(svc, ResourceTypes.CONFIGURATION.apiVersion(), ResourceTypes.CONFIGURATION.kind());
        cfg.putObject("spec").set("template", svc.path("spec").path("template").deepCopy());
        return cfg;
    }

    /** The Route named after the Service; targets that follow the latest revision name its Configuration. */
    public static ObjectNode route(JsonNode svc) {
        ObjectNode route = child(svc, ResourceTypes.ROUTE.apiVersion(), ResourceTypes.ROUTE.kind());
        ArrayNode traffic = route.putObject("spec").putArray("traffic");
        for (JsonNode t : svc.path("spec").path("traffic")) {
            ObjectNode copy = t.deepCopy();
            if (copy.path("latestRevision").asBoolean(false)) {
                copy.put("configurationName", Meta.name(svc));
            }
            traffic.add(copy);
        }
        return route;
    }

    private static ObjectNode child(JsonNode svc, String apiVersion, String kind) {
        ObjectNode o = Json.object();
        o.put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode meta = o.putObject("metadata");
        meta.put("name", Meta.name(svc)).put("namespace", Meta.namespace(svc));
        ObjectNode labels = meta.putObject("labels");
        Meta.labels(svc).forEach(labels::put);
        labels.put(ServingLabels.SERVICE, Meta.name(svc));
        ObjectNode annotations = Propagation.inheritedAnnotations(svc);
        if (!annotations.isEmpty()) {
            meta.set("annotations", annotations);
        }
        Meta.setOwner(o, svc);
        return o;
    }

    /**
     * The Service's status from its children: URL and traffic from the Route, revision names from the
     * Configuration, Ready when both are.
     */
    public static ObjectNode status(JsonNode svc, JsonNode cfg, JsonNode route, Instant now) {
        ObjectNode status = svc.path("status").isObject() ? (ObjectNode) svc.get("status").deepCopy() : Json.object();
        status.put("observedGeneration", Meta.generation(svc));
        Propagation.fromChildReady(status, CONFIGURATIONS_READY, cfg, "Configuration", now);
        Propagation.fromChildReady(status, ROUTES_READY, route, "Route", now);
        Propagation.readyFrom(status, List.of(CONFIGURATIONS_READY, ROUTES_READY), now);
        Propagation.unsupportedAnnotations(status, Meta.annotations(svc), false, now);
        copy(cfg, status, "latestCreatedRevisionName");
        copy(cfg, status, "latestReadyRevisionName");
        copy(route, status, "url");
        copy(route, status, "address");
        copy(route, status, "traffic");
        return status;
    }

    private static void copy(JsonNode from, ObjectNode to, String field) {
        JsonNode v = from == null ? null : from.path("status").get(field);
        if (v == null || v.isNull()) {
            to.remove(field);
        } else {
            to.set(field, v.deepCopy());
        }
    }
}
