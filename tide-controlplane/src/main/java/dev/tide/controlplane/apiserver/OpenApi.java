package dev.tide.controlplane.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.api.schema.Schema;
import dev.tide.api.schema.Schemas;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * OpenAPI v3 documents for the kinds users write, made from their {@link Schemas} as kube-apiserver publishes them:
 * {@code /openapi/v3} lists one document per group version, each at {@code /openapi/v3/apis/GROUP/VERSION?hash=H}, with
 * each kind's schema under {@code components.schemas} tagged with {@code x-kubernetes-group-version-kind} (what
 * {@code kubectl explain} looks for) and a path per kind whose operations take {@code fieldValidation} and {@code dryRun}
 * (what kubectl checks before it leaves validation to the server); {@link OpenApiV2} has them all in one v2 document.
 * Made once; the documents never change while Tide runs.
 */
final class OpenApi {

    /** A document and the hash kubectl caches it by. */
    record Document(byte[] body, String hash) {
    }

    private static final String INT_OR_STRING_ID = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    private static final String QUANTITY_ID = "io.k8s.apimachinery.pkg.api.resource.Quantity";

    private final Map<String, Document> byPath = new LinkedHashMap<>();
    private final byte[] root;
    private final OpenApiV2 v2;

    OpenApi() {
        Map<String, ObjectNode> docs = new LinkedHashMap<>();
        for (ResourceType t : ResourceTypes.ALL) {
            if (t == ResourceTypes.EVENT) {
                continue; // Tide's record, with no schema
            }
            String path = t.group().isEmpty() ? "api/" + t.version() : "apis/" + t.group() + "/" + t.version();
            ObjectNode doc = docs.computeIfAbsent(path, p -> document(t));
            add(doc, t);
        }
        ObjectNode rootDoc = Json.object();
        ObjectNode paths = rootDoc.putObject("paths");
        docs.forEach((path, doc) -> {
            byte[] body = Json.write(doc).getBytes(StandardCharsets.UTF_8);
            Document d = new Document(body, sha512(body));
            byPath.put(path, d);
            paths.putObject(path).put("serverRelativeURL", "/openapi/v3/" + path + "?hash=" + d.hash());
        });
        root = Json.write(rootDoc).getBytes(StandardCharsets.UTF_8);
        Map<String, ObjectNode> schemas = new TreeMap<>();
        docs.values().forEach(doc -> doc.get("components").get("schemas").properties()
                .forEach(e -> schemas.putIfAbsent(e.getKey(), (ObjectNode) e.getValue())));
        v2 = new OpenApiV2(schemas, "v1");
    }

    /** The same schemas as one OpenAPI v2 document ({@code GET /openapi/v2}). */
    OpenApiV2 v2() {
        return v2;
    }

    /** The list of documents ({@code GET /openapi/v3}). */
    byte[] root() {
        return root;
    }

    /** The document at {@code path} ({@code apis/serving.knative.dev/v1}), or {@code null}. */
    Document document(String path) {
        return byPath.get(path);
    }

    private static ObjectNode document(ResourceType t) {
        ObjectNode doc = Json.object();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Tide").put("version", t.apiVersion());
        doc.putObject("paths");
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        schemas.putObject(INT_OR_STRING_ID).put("type", "string").put("format", "int-or-string")
                .put("description", "A number or a name: 8080, or a port's name such as \"http\".");
        schemas.putObject(QUANTITY_ID).put("type", "string")
                .put("description", "A quantity: 500m (half a CPU), 64Mi, 1Gi, 2, or a plain number.");
        return doc;
    }

    /** The kind's schema, and its object path with the operations kubectl looks at. */
    private static void add(ObjectNode doc, ResourceType t) {
        String id = schemaId(t);
        ObjectNode schema = convert(Schemas.of(t), t.kind(), "");
        Schema.Obj status = Schemas.statusOf(t);
        ObjectNode props = (ObjectNode) schema.get("properties");
        if (status == null) {
            props.remove("status");
        } else {
            ObjectNode s = convert(status, t.kind(), "status");
            s.put("description", FieldDocs.of(t.kind(), "status"));
            props.set("status", s);
        }
        String about = FieldDocs.of(t.kind(), "");
        if (about != null) {
            schema.put("description", about);
        }
        schema.putArray("x-kubernetes-group-version-kind").addObject().put("group", t.group()).put("kind", t.kind())
                .put("version", t.version());
        ((ObjectNode) doc.get("components").get("schemas")).set(id, schema);
        String prefix = t.group().isEmpty() ? "/api/" + t.version() : "/apis/" + t.group() + "/" + t.version();
        ObjectNode path = ((ObjectNode) doc.get("paths")).putObject(prefix + "/namespaces/{namespace}/" + t.plural() + "/{name}");
        // Pods are read and deleted, never written: no write operation is published for them.
        for (String verb : t == ResourceTypes.POD ? List.of("get", "delete") : List.of("get", "put", "patch", "delete")) {
            ObjectNode op = path.putObject(verb);
            op.put("operationId", verb + t.kind());
            op.putObject("x-kubernetes-group-version-kind").put("group", t.group()).put("kind", t.kind()).put("version", t.version());
            ArrayNode params = op.putArray("parameters");
            if (!verb.equals("get")) {
                params.addObject().put("name", "dryRun").put("in", "query").putObject("schema").put("type", "string");
            }
            if (verb.equals("put") || verb.equals("patch")) {
                params.addObject().put("name", "fieldValidation").put("in", "query").putObject("schema").put("type", "string");
            }
            op.putObject("responses").putObject("200").putObject("content").putObject("application/json").putObject("schema")
                    .put("$ref", "#/components/schemas/" + id);
        }
    }

    /** kube-apiserver's naming: the group reversed, then version and kind ({@code dev.knative.serving.v1.Service}). */
    static String schemaId(ResourceType t) {
        if (t.group().isEmpty()) {
            return "io.k8s.api.core." + t.version() + "." + t.kind();
        }
        List<String> parts = new java.util.ArrayList<>(List.of(t.group().split("\\.")));
        java.util.Collections.reverse(parts);
        return String.join(".", parts) + "." + t.version() + "." + t.kind();
    }

    /** Worked example: {@code obj("port", INT32)} gives {@code {"type":"object","properties":{"port":{"type":"integer","format":"int32"}}}}. */
    private static ObjectNode convert(Schema s, String kind, String path) {
        ObjectNode o = Json.object();
        switch (s) {
            case Schema.Obj obj -> {
                o.put("type", "object");
                ObjectNode props = o.putObject("properties");
                for (var e : new TreeMap<>(obj.fields()).entrySet()) {
                    String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                    ObjectNode field = convert(e.getValue(), kind, at);
                    String doc = FieldDocs.of(kind, at);
                    if (doc != null) {
                        field.put("description", doc);
                    }
                    props.set(e.getKey(), field);
                }
            }
            case Schema.MapOf m -> o.put("type", "object").set("additionalProperties", convert(m.values(), kind, path + ".*"));
            case Schema.ListOf l -> o.put("type", "array").set("items", convert(l.items(), kind, path + "[]"));
            case Schema.Scalar scalar -> {
                switch (scalar) {
                    case STRING, TEXT -> o.put("type", "string");
                    case BOOLEAN -> o.put("type", "boolean");
                    case INT32 -> o.put("type", "integer").put("format", "int32");
                    case INT64 -> o.put("type", "integer").put("format", "int64");
                    case NUMBER -> o.put("type", "number");
                    // As kube-apiserver publishes them: references, which kubectl explain names (<IntOrString>, <Quantity>).
                    case INT_OR_STRING -> o.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + INT_OR_STRING_ID);
                    case QUANTITY -> o.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + QUANTITY_ID);
                    case ANY -> o.put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
                }
            }
        }
        return o;
    }

    private static String sha512(byte[] body) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
