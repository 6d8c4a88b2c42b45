package dev.tide.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads and writes the standard {@code metadata} fields of an object kept as a JSON tree. */
public final class Meta {

    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private Meta() {
    }

    public static ObjectNode metadata(ObjectNode obj) {
        return Json.with(obj, "metadata");
    }

    public static String name(JsonNode obj) {
        String n = Json.text(obj.get("metadata"), "name");
        return n == null ? "" : n;
    }

    public static String namespace(JsonNode obj) {
        String n = Json.text(obj.get("metadata"), "namespace");
        return n == null ? "" : n;
    }

    public static String apiVersion(JsonNode obj) {
        String v = Json.text(obj, "apiVersion");
        return v == null ? "" : v;
    }

    public static String kind(JsonNode obj) {
        String v = Json.text(obj, "kind");
        return v == null ? "" : v;
    }

    public static long generation(JsonNode obj) {
        JsonNode g = obj.path("metadata").get("generation");
        return g == null ? 0 : g.asLong();
    }

    public static String resourceVersion(JsonNode obj) {
        return Json.text(obj.get("metadata"), "resourceVersion");
    }

    public static String uid(JsonNode obj) {
        return Json.text(obj.get("metadata"), "uid");
    }

    /** The object's labels as strings (an empty map when none). */
    public static Map<String, String> labels(JsonNode obj) {
        return strings(obj.path("metadata").get("labels"));
    }

    /** The object's annotations as strings (an empty map when none). */
    public static Map<String, String> annotations(JsonNode obj) {
        return strings(obj.path("metadata").get("annotations"));
    }

    /** A string map read from a JSON object; scalar values are taken as their text. */
    public static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.properties().forEach(e -> {
                if (!e.getValue().isNull() && e.getValue().isValueNode()) {
                    out.put(e.getKey(), e.getValue().asText());
                }
            });
        }
        return out;
    }

    /** The controller owner's name of the given kind, or {@code null}. */
    public static String ownerName(JsonNode obj, String kind) {
        for (JsonNode ref : obj.path("metadata").path("ownerReferences")) {
            if (kind.equals(Json.text(ref, "kind"))) {
                return Json.text(ref, "name");
            }
        }
        return null;
    }

    /** Sets a controller owner reference from {@code owner} on {@code child}, replacing any other. */
    public static void setOwner(ObjectNode child, JsonNode owner) {
        ObjectNode ref = metadata(child).putArray("ownerReferences").addObject();
        ref.put("apiVersion", apiVersion(owner));
        ref.put("kind", kind(owner));
        ref.put("name", name(owner));
        String uid = uid(owner);
        if (uid != null) {
            ref.put("uid", uid);
        }
        ref.put("controller", true);
        ref.put("blockOwnerDeletion", true);
    }
}
