package dev.tide.controlplane.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.VendorAnnotations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Condition and metadata propagation shared by the reconcilers' pure status and resource builders. */
public final class Propagation {

    /** The condition listing annotations Tide stores without acting on. Informational: it never affects Ready. */
    public static final String UNSUPPORTED_ANNOTATIONS = "UnsupportedAnnotations";

    private Propagation() {
    }

    /**
     * Sets {@code type} on {@code status} to {@code child}'s Ready condition: same status, reason and message; a
     * child that has not yet observed its latest spec counts as Unknown ({@code OutOfDate}).
     */
    public static void fromChildReady(ObjectNode status, String type, JsonNode child, String childKind, Instant now) {
        if (child == null) {
            Conditions.set(status, type, Conditions.UNKNOWN, childKind + "Missing", childKind + " has not been created yet", "", now);
            return;
        }
        long observed = child.path("status").path("observedGeneration").asLong(0);
        if (observed != Meta.generation(child)) {
            Conditions.set(status, type, Conditions.UNKNOWN, "OutOfDate",
                    "The " + childKind + " is still working to reflect the latest desired specification.", "", now);
            return;
        }
        JsonNode ready = Conditions.get(child, Conditions.READY);
        Conditions.set(status, type, Conditions.status(child, Conditions.READY), Json.text(ready, "reason"),
                Json.text(ready, "message"), "", now);
    }

    /** Ready = all {@code parts} True; else False if any is False; else Unknown, with the first non-True part's words. */
    public static void readyFrom(ObjectNode status, List<String> parts, Instant now) {
        JsonNode worst = null;
        for (String p : parts) {
            JsonNode c = conditionOf(status, p);
            String s = Json.text(c, "status");
            if (!Conditions.TRUE.equals(s) && (worst == null || Conditions.FALSE.equals(s))) {
                if (worst == null || !Conditions.FALSE.equals(Json.text(worst, "status"))) {
                    worst = c;
                }
            }
        }
        if (worst == null) {
            Conditions.set(status, Conditions.READY, Conditions.TRUE, null, null, "", now);
        } else {
            String s = Json.text(worst, "status");
            Conditions.set(status, Conditions.READY, s == null ? Conditions.UNKNOWN : s, Json.text(worst, "reason"),
                    Json.text(worst, "message"), "", now);
        }
    }

    private static JsonNode conditionOf(ObjectNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(Json.text(c, "type"))) {
                return c;
            }
        }
        return Json.object().put("type", type).put("status", Conditions.UNKNOWN);
    }

    /**
     * Adds, or removes, the informational condition naming annotations Tide does not act on; {@code onPods} when they
     * reach the revision's Pods on a cluster, which acts on ACK's pod annotations itself.
     */
    public static void unsupportedAnnotations(ObjectNode status, Map<String, String> annotations, boolean onPods, Instant now) {
        List<String> keys = new ArrayList<>(VendorAnnotations.notActedOn(annotations, onPods));
        if (keys.isEmpty()) {
            Conditions.remove(status, UNSUPPORTED_ANNOTATIONS);
        } else {
            Conditions.set(status, UNSUPPORTED_ANNOTATIONS, Conditions.FALSE, "NotActedOn",
                    "stored but not acted on by Tide yet: " + String.join(", ", keys), "Info", now);
        }
    }

    /** {@code source}'s annotations, without kubectl's last-applied copy of the parent's manifest. */
    public static ObjectNode inheritedAnnotations(JsonNode source) {
        ObjectNode out = Json.object();
        Meta.annotations(source).forEach((k, v) -> {
            if (!k.equals(Meta.LAST_APPLIED)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
