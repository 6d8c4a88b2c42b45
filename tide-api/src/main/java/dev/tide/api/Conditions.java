package dev.tide.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Knative-style status conditions on a JSON {@code status}: {@code type}, {@code status}
 * ({@code True|False|Unknown}), {@code reason}, {@code message}, {@code severity} and
 * {@code lastTransitionTime}, which only moves when {@code status} changes.
 */
public final class Conditions {

    public static final String READY = "Ready";
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    private Conditions() {
    }

    /**
     * Sets condition {@code type} on {@code status}, keeping the conditions sorted by type as Knative does.
     *
     * @param severity {@code ""} for conditions that make up readiness, {@code Warning} or {@code Info} otherwise
     * @param now      the transition time to record if the status changes
     */
    public static void set(ObjectNode status, String type, String value, String reason, String message,
                           String severity, Instant now) {
        ArrayNode list = status.get("conditions") instanceof ArrayNode a ? a : status.putArray("conditions");
        ObjectNode existing = null;
        int insertAt = list.size();
        for (int i = 0; i < list.size(); i++) {
            JsonNode c = list.get(i);
            String t = Json.text(c, "type");
            if (type.equals(t)) {
                existing = (ObjectNode) c;
                break;
            }
            if (t != null && t.compareTo(type) > 0 && insertAt == list.size()) {
                insertAt = i;
            }
        }
        String transition = existing != null && value.equals(Json.text(existing, "status"))
                && existing.hasNonNull("lastTransitionTime")
                ? existing.get("lastTransitionTime").asText()
                : now.truncatedTo(ChronoUnit.SECONDS).toString();
        ObjectNode c = existing != null ? existing : list.insertObject(insertAt);
        c.removeAll();
        c.put("type", type);
        c.put("status", value);
        if (reason != null && !reason.isEmpty()) {
            c.put("reason", reason);
        }
        if (message != null && !message.isEmpty()) {
            c.put("message", message);
        }
        if (severity != null && !severity.isEmpty()) {
            c.put("severity", severity);
        }
        c.put("lastTransitionTime", transition);
    }

    /** Removes condition {@code type} if present. */
    public static void remove(ObjectNode status, String type) {
        if (status.get("conditions") instanceof ArrayNode list) {
            for (int i = list.size() - 1; i >= 0; i--) {
                if (type.equals(Json.text(list.get(i), "type"))) {
                    list.remove(i);
                }
            }
        }
    }

    /** The condition of {@code type} in {@code obj.status}, or a missing node. */
    public static JsonNode get(JsonNode obj, String type) {
        for (JsonNode c : obj.path("status").path("conditions")) {
            if (type.equals(Json.text(c, "type"))) {
                return c;
            }
        }
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.missingNode();
    }

    /** The status ({@code True|False|Unknown}) of condition {@code type}, {@code Unknown} when absent. */
    public static String status(JsonNode obj, String type) {
        String s = Json.text(get(obj, type), "status");
        return s == null ? UNKNOWN : s;
    }

    public static boolean isTrue(JsonNode obj, String type) {
        return TRUE.equals(status(obj, type));
    }
}
