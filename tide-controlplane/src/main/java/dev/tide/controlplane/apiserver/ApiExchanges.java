package dev.tide.controlplane.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.tide.api.Json;
import dev.tide.api.Manifests;
import dev.tide.controlplane.registry.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Reading an API request and writing its answer, as Kubernetes clients expect them: bodies bounded at 3 MiB (JSON,
 * YAML, protobuf for Secrets and ConfigMaps), {@code dryRun}, Table negotiation, and answers with {@code Warning}
 * headers. Static: no state of its own.
 */
final class ApiExchanges {

    static final int MAX_BODY = 3 << 20;
    static final String JSON = "application/json";

    private ApiExchanges() {
    }

    /** The request's body, refused with {@code 413} beyond {@link #MAX_BODY}. */
    static byte[] readBody(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new ApiException(413, "RequestEntityTooLarge", "the request body is larger than " + MAX_BODY + " bytes", null);
        }
        return body;
    }

    /** A JSON body of any shape (a JSON patch is a list). */
    static JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] body = readBody(ex);
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("the request body is not JSON: " + e.getMessage());
        }
    }

    static ObjectNode readObject(HttpExchange ex) throws IOException {
        byte[] body = readBody(ex);
        String contentType = header(ex, "Content-Type");
        if (contentType.startsWith(ProtobufObjects.MEDIA_TYPE)) {
            // The guard lets protobuf through for the core group only; Secrets and ConfigMaps are read, the rest refused.
            try {
                return ProtobufObjects.decode(body);
            } catch (IllegalArgumentException e) {
                throw new ApiException(415, "UnsupportedMediaType", e.getMessage(), null);
            }
        }
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw ApiException.badRequest("the request has no body");
        }
        if (contentType.contains("yaml") && !text.stripLeading().startsWith("{")) {
            List<ObjectNode> docs = Manifests.parse(text, "request body");
            if (docs.size() != 1) {
                throw ApiException.badRequest("the request body must hold exactly one object");
            }
            return docs.get(0);
        }
        return Json.parseObject(text);
    }

    static boolean wantsTable(HttpExchange ex) {
        return header(ex, "Accept").contains("as=Table");
    }

    static String header(HttpExchange ex, String name) {
        String v = ex.getRequestHeaders().getFirst(name);
        return v == null ? "" : v;
    }

    static void sendJson(HttpExchange ex, int code, JsonNode body, List<String> warnings) throws IOException {
        send(ex, code, JSON, Json.write(body), warnings);
    }

    static void send(HttpExchange ex, int code, String contentType, String body, List<String> warnings) throws IOException {
        send(ex, code, contentType, body.getBytes(StandardCharsets.UTF_8), warnings);
    }

    static void send(HttpExchange ex, int code, String contentType, byte[] bytes, List<String> warnings) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        for (String w : warnings) {
            // RFC 7234 warn-code 299 ("miscellaneous persistent warning"), the form kubectl prints as "Warning: ...".
            ex.getResponseHeaders().add("Warning", "299 - \"" + w.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        ex.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    /** Whether a delete's body, a {@code DeleteOptions} as kubectl sends it, asks for a dry run ({@code "dryRun": ["All"]}). */
    static boolean deleteOptionsDryRun(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(64 << 10);
        }
        if (body.length == 0) {
            return false;
        }
        JsonNode options;
        try {
            options = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("the delete options are not JSON: " + e.getMessage());
        }
        for (JsonNode v : options.path("dryRun")) {
            if (!v.asText().equals("All")) {
                throw ApiException.badRequest("Invalid value: \"" + v.asText() + "\": supported values: \"All\": dryRun");
            }
            return true;
        }
        return false;
    }

    /** {@code dryRun=All}, the one value Kubernetes takes. */
    static boolean dryRun(Map<String, String> query) {
        String v = query.get("dryRun");
        if (v == null) {
            return false;
        }
        if (!v.equals("All")) {
            throw ApiException.badRequest("Invalid value: \"" + v + "\": supported values: \"All\": dryRun");
        }
        return true;
    }

    static boolean isTrue(String s) {
        return "true".equals(s) || "1".equals(s);
    }

    static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
