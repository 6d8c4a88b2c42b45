package dev.tide.controlplane.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The OpenAPI v2 (Swagger 2.0) document kube-apiserver serves at {@code /openapi/v2}, made from the same schemas as the
 * v3 documents ({@link OpenApi}): every kind under {@code definitions}, tagged with
 * {@code x-kubernetes-group-version-kind}. Clients that read v2 (kubectl's {@code explain
 * --output=plaintext-openapiv2}, client-side validation in kubectl before 1.27, Helm) ask for it as protocol buffers
 * in gnostic's {@code openapi_v2.Document} message; others get JSON. Made once.
 */
final class OpenApiV2 {

    /** What kube-apiserver answers protobuf requests with (client-go asks with "...spec.v2@v1.0+protobuf", which Go cannot parse back). */
    static final String PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private final byte[] json;
    private final byte[] protobuf;

    /** @param schemas each kind's v3 schema by its id ({@code dev.knative.serving.v1.Service}), shared ones included */
    OpenApiV2(Map<String, ObjectNode> schemas, String version) {
        ObjectNode doc = Json.object();
        doc.put("swagger", "2.0");
        doc.putObject("info").put("title", "Tide").put("version", version);
        doc.putObject("paths");
        ObjectNode definitions = doc.putObject("definitions");
        schemas.forEach((id, schema) -> definitions.set(id, v2(schema)));
        json = Json.write(doc).getBytes(StandardCharsets.UTF_8);
        Protobuf info = new Protobuf().string(1, "Tide").string(2, version);
        Protobuf defs = new Protobuf();
        definitions.properties().forEach(e -> defs.message(1, new Protobuf().string(1, e.getKey()).message(2, schema(e.getValue()))));
        protobuf = new Protobuf().string(1, "2.0").message(2, info).message(9, defs).toByteArray();
    }

    byte[] json() {
        return json;
    }

    byte[] protobuf() {
        return protobuf;
    }

    /** v3's {@code allOf: [{$ref: #/components/schemas/X}]} is v2's {@code $ref: #/definitions/X}; the rest is the same. */
    private static JsonNode v2(JsonNode v3) {
        if (v3.isArray()) {
            var out = Json.MAPPER.createArrayNode();
            v3.forEach(n -> out.add(v2(n)));
            return out;
        }
        if (!v3.isObject()) {
            return v3;
        }
        JsonNode allOf = v3.get("allOf");
        if (allOf != null && allOf.size() == 1 && allOf.get(0).has("$ref")) {
            ObjectNode ref = Json.object();
            ref.put("$ref", allOf.get(0).get("$ref").asText().replace("#/components/schemas/", "#/definitions/"));
            if (v3.has("description")) {
                ref.set("description", v3.get("description"));
            }
            return ref;
        }
        ObjectNode out = Json.object();
        v3.properties().forEach(e -> out.set(e.getKey(), e.getKey().equals("properties")
                ? properties(e.getValue()) : v2(e.getValue())));
        return out;
    }

    private static ObjectNode properties(JsonNode props) {
        ObjectNode out = Json.object();
        props.properties().forEach(e -> out.set(e.getKey(), v2(e.getValue())));
        return out;
    }

    /**
     * A v2 schema as gnostic's {@code Schema} message: {@code $ref} 1, {@code format} 2, {@code description} 4,
     * {@code required} 19, {@code additionalProperties} 21, {@code type} 22, {@code items} 23, {@code properties} 25,
     * vendor extensions 31 (each value as YAML, as kube-openapi writes them).
     */
    private static Protobuf schema(JsonNode s) {
        Protobuf p = new Protobuf();
        text(p, 1, s.get("$ref"));
        text(p, 2, s.get("format"));
        text(p, 4, s.get("description"));
        s.path("required").forEach(r -> p.string(19, r.asText()));
        if (s.has("additionalProperties")) {
            JsonNode a = s.get("additionalProperties");
            p.message(21, a.isBoolean() ? new Protobuf().bool(2, a.asBoolean()) : new Protobuf().message(1, schema(a)));
        }
        if (s.has("type")) {
            p.message(22, new Protobuf().string(1, s.get("type").asText()));
        }
        if (s.has("items")) {
            p.message(23, new Protobuf().message(1, schema(s.get("items"))));
        }
        if (s.has("properties")) {
            Protobuf props = new Protobuf();
            s.get("properties").properties().forEach(e -> props.message(1, new Protobuf().string(1, e.getKey())
                    .message(2, schema(e.getValue()))));
            p.message(25, props);
        }
        s.properties().forEach(e -> {
            if (e.getKey().startsWith("x-")) {
                p.message(31, new Protobuf().string(1, e.getKey()).message(2, new Protobuf().string(2, yaml(e.getValue()))));
            }
        });
        return p;
    }

    private static void text(Protobuf p, int field, JsonNode value) {
        if (value != null && value.isTextual()) {
            p.string(field, value.asText());
        }
    }

    /**
     * A vendor extension's value as YAML. Worked example: {@code [{"group":"serving.knative.dev","kind":"Service",
     * "version":"v1"}]} is {@code "- group: serving.knative.dev\n  kind: Service\n  version: v1\n"}; {@code true} is
     * {@code "true\n"}. JSON is YAML too, so a value of another shape is written as JSON.
     */
    static String yaml(JsonNode value) {
        if (value.isArray() && !value.isEmpty() && allFlatObjects(value)) {
            StringBuilder out = new StringBuilder();
            value.forEach(o -> {
                String lead = "- ";
                for (var e : o.properties()) {
                    out.append(lead).append(e.getKey()).append(": ").append(scalar(e.getValue())).append('\n');
                    lead = "  ";
                }
            });
            return out.toString();
        }
        return (value.isValueNode() ? scalar(value) : Json.write(value)) + "\n";
    }

    private static boolean allFlatObjects(JsonNode array) {
        for (JsonNode o : array) {
            if (!o.isObject() || o.isEmpty()) {
                return false;
            }
            for (JsonNode v : o) {
                if (!v.isValueNode()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A scalar as YAML: text quoted when YAML would read it otherwise (empty, a number, true), else bare. */
    private static String scalar(JsonNode v) {
        if (!v.isTextual()) {
            return v.asText();
        }
        String t = v.asText();
        return t.isEmpty() || !t.matches("[A-Za-z][-A-Za-z0-9_./]*") || t.matches("(?i)true|false|yes|no|on|off|null|y|n")
                ? Json.write(v) : t;
    }
}
