package dev.tide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.ResourceType;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The CLI's client for Tide's API: the same requests kubectl makes, answered with objects or one-line errors. */
final class ApiClient {

    /** A refused request, carrying the server's Status message. */
    static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int code;

        ApiError(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        int code() {
            return code;
        }
    }

    /** An answer: the object and any {@code Warning} headers. */
    record Reply(ObjectNode body, List<String> warnings) {
    }

    private final URI server;
    private final Connection connection;
    private final HttpClient http;

    ApiClient(Connection connection) {
        this.connection = connection;
        this.server = connection.server();
        this.http = connection.httpClient();
    }

    /** As kubectl sends by default: unknown fields are errors, not silently dropped. */
    private static final String STRICT = "?fieldValidation=Strict";

    static String path(ResourceType type, String namespace, String name) {
        StringBuilder p = new StringBuilder(type.group().isEmpty() ? "/api/v1" : "/apis/" + type.apiVersion());
        if (namespace != null) {
            p.append("/namespaces/").append(enc(namespace));
        }
        p.append('/').append(type.plural());
        if (name != null) {
            p.append('/').append(enc(name));
        }
        return p.toString();
    }

    Optional<ObjectNode> get(ResourceType type, String namespace, String name) {
        try {
            return Optional.of(send("GET", path(type, namespace, name), null, null, "application/json").body());
        } catch (ApiError e) {
            if (e.code() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The server-printed table for {@code type} (one object when {@code name} is set). */
    ObjectNode table(ResourceType type, String namespace, String name) {
        String accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
        return send("GET", path(type, namespace, name), null, null, accept).body();
    }

    ObjectNode list(ResourceType type, String namespace) {
        return send("GET", path(type, namespace, null), null, null, "application/json").body();
    }

    Reply create(ResourceType type, String namespace, ObjectNode obj) {
        return send("POST", path(type, namespace, null) + STRICT, obj, "application/json", "application/json");
    }

    Reply replace(ResourceType type, String namespace, String name, ObjectNode obj) {
        return send("PUT", path(type, namespace, name) + STRICT, obj, "application/json", "application/json");
    }

    Reply delete(ResourceType type, String namespace, String name) {
        return send("DELETE", path(type, namespace, name), null, null, "application/json");
    }

    private Reply send(String method, String path, JsonNode body, String contentType, String accept) {
        HttpRequest.Builder b = connection.request(path).timeout(Duration.ofSeconds(30)).header("Accept", accept);
        if (body != null) {
            b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiError(0, "cannot reach Tide at " + server + ": is 'tide server' running? (use --server to point elsewhere)");
        } catch (IOException e) {
            throw new ApiError(0, "request to " + server + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(0, "interrupted");
        }
        List<String> warnings = new ArrayList<>();
        for (String w : response.headers().allValues("Warning")) {
            warnings.add(warningText(w));
        }
        if (response.statusCode() == 401) {
            throw new ApiError(401, "Unauthorized: " + server + " needs a token; use the kubeconfig Tide printed (--kubeconfig FILE) or --token");
        }
        ObjectNode parsed = response.body().isBlank() ? Json.object() : Json.parseObject(response.body());
        if (response.statusCode() >= 400) {
            String message = Json.text(parsed, "message");
            throw new ApiError(response.statusCode(), message != null ? message : "HTTP " + response.statusCode());
        }
        return new Reply(parsed, warnings);
    }

    /** {@code 299 - "text"} to {@code text}. */
    static String warningText(String header) {
        int q = header.indexOf('"');
        if (q < 0 || !header.endsWith("\"")) {
            return header;
        }
        return header.substring(q + 1, header.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
