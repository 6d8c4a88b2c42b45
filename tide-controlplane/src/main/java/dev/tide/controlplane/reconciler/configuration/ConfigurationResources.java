package dev.tide.controlplane.reconciler.configuration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.naming.Names;
import dev.tide.api.serving.v1.ServingLabels;
import java.time.Instant;
import java.util.List;

/** Pure builders of a Configuration's revisions and of its status. */
public final class ConfigurationResources {

    private ConfigurationResources() {
    }

    /**
     * The revision for the Configuration's current generation: {@code NAME-0000G}, or the name the template
     * gives (Knative's "bring your own revision name").
     */
    public static String revisionName(JsonNode cfg) {
        String byo = Json.text(cfg.path("spec").path("template").path("metadata"), "name");
        return byo != null && !byo.isEmpty() ? byo : Names.revision(Meta.name(cfg), Meta.generation(cfg));
    }

    /** The Revision a generation of the Configuration stamps out: the template's metadata and spec, labelled. */
    public static ObjectNode revision(JsonNode cfg) {
        JsonNode template = cfg.path("spec").path("template");
        ObjectNode rev = Json.object();
        rev.put("apiVersion", ResourceTypes.REVISION.apiVersion()).put("kind", ResourceTypes.REVISION.kind());
        ObjectNode meta = rev.putObject("metadata");
        meta.put("name", revisionName(cfg)).put("namespace", Meta.namespace(cfg));
        ObjectNode labels = meta.putObject("labels");
        Meta.strings(template.path("metadata").get("labels")).forEach(labels::put);
        labels.put(ServingLabels.CONFIGURATION, Meta.name(cfg));
        labels.put(ServingLabels.CONFIGURATION_GENERATION, Long.toString(Meta.generation(cfg)));
        String service = Meta.labels(cfg).get(ServingLabels.SERVICE);
        if (service != null) {
            labels.put(ServingLabels.SERVICE, service);
        }
        JsonNode annotations = template.path("metadata").get("annotations");
        if (annotations != null && annotations.isObject() && !annotations.isEmpty()) {
            meta.set("annotations", annotations.deepCopy());
        }
        Meta.setOwner(rev, cfg);
        rev.set("spec", template.path("spec").isObject() ? template.get("spec").deepCopy() : Json.object());
        return rev;
    }

    /**
     * Status: the latest created revision is this generation's; the latest ready one is the newest revision of
     * the Configuration that is Ready. Ready follows the latest created revision.
     *
     * @param revisions the Configuration's revisions
     */
    public static ObjectNode status(JsonNode cfg, JsonNode latestCreated, List<? extends JsonNode> revisions, Instant now) {
        ObjectNode status = cfg.path("status").isObject() ? (ObjectNode) cfg.get("status").deepCopy() : Json.object();
        status.put("observedGeneration", Meta.generation(cfg));
        status.put("latestCreatedRevisionName", Meta.name(latestCreated));
        JsonNode newestReady = null;
        long newestGeneration = -1;
        for (JsonNode r : revisions) {
            long g = Long.parseLong(Meta.labels(r).getOrDefault(ServingLabels.CONFIGURATION_GENERATION, "0"));
            if (Conditions.isTrue(r, Conditions.READY) && g > newestGeneration) {
                newestReady = r;
                newestGeneration = g;
            }
        }
        if (newestReady != null) {
            status.put("latestReadyRevisionName", Meta.name(newestReady));
        } else {
            status.remove("latestReadyRevisionName");
        }
        String state = Conditions.status(latestCreated, Conditions.READY);
        JsonNode ready = Conditions.get(latestCreated, Conditions.READY);
        switch (state) {
            case Conditions.TRUE -> Conditions.set(status, Conditions.READY, Conditions.TRUE, null, null, "", now);
            case Conditions.FALSE -> Conditions.set(status, Conditions.READY, Conditions.FALSE, "RevisionFailed",
                    "Revision \"" + Meta.name(latestCreated) + "\" failed with message: " + Json.text(ready, "message") + ".", "", now);
            default -> Conditions.set(status, Conditions.READY, Conditions.UNKNOWN, Json.text(ready, "reason"),
                    "Revision \"" + Meta.name(latestCreated) + "\" is not ready"
                            + (Json.text(ready, "message") == null ? "." : ": " + Json.text(ready, "message")), "", now);
        }
        return status;
    }
}
