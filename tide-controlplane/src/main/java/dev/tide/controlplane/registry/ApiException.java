package dev.tide.controlplane.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.ResourceType;
import dev.tide.common.validation.FieldError;
import java.util.List;

/**
 * An API request refused with a Kubernetes {@code Status}: the HTTP code and {@code reason} decide how kubectl
 * reacts (404 makes {@code apply} create, 409 makes it retry), the message is what the user reads.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int code;
    private final String reason;
    private final transient ObjectNode details;

    public ApiException(int code, String reason, String message, ObjectNode details) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
        this.details = details;
    }

    public int code() {
        return code;
    }

    public static ApiException notFound(ResourceType type, String name) {
        return new ApiException(404, "NotFound", type.groupResource() + " \"" + name + "\" not found", details(type, name));
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "NotFound", message, null);
    }

    public static ApiException alreadyExists(ResourceType type, String name) {
        return new ApiException(409, "AlreadyExists", type.groupResource() + " \"" + name + "\" already exists", details(type, name));
    }

    public static ApiException conflict(ResourceType type, String name) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.groupResource() + " \"" + name
                + "\": the object has been modified; please apply your changes to the latest version and try again",
                details(type, name));
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message, null);
    }

    public static ApiException gone(String message) {
        return new ApiException(410, "Expired", message, null);
    }

    public static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "MethodNotAllowed", message, null);
    }

    public static ApiException unsupportedMediaType(String contentType) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                + "application/json, application/yaml, application/merge-patch+json, application/apply-patch+yaml, "
                + "application/strategic-merge-patch+json (got " + contentType + ")", null);
    }

    /**
     * A validation failure, worded as Knative's webhook words it ({@code validation failed: expected 0 <= 101 <=
     * 100: spec.traffic[0].percent}), with every error also listed as a cause.
     */
    public static ApiException invalid(ResourceType type, String name, List<FieldError> errors) {
        ObjectNode details = details(type, name);
        var causes = details.putArray("causes");
        for (FieldError e : errors) {
            causes.addObject().put("reason", "FieldValueInvalid").put("message", e.message()
                    + (e.details().isEmpty() ? "" : ": " + e.details())).put("field", e.path());
        }
        return new ApiException(400, "BadRequest", "validation failed: "
                + String.join("\n", errors.stream().map(FieldError::toString).toList()), details);
    }

    private static ObjectNode details(ResourceType type, String name) {
        ObjectNode d = Json.object();
        d.put("name", name).put("group", type.group()).put("kind", type.plural());
        return d;
    }

    /** The {@code metav1.Status} body. */
    public ObjectNode toStatus() {
        ObjectNode s = Json.object();
        s.put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure").put("message", getMessage()).put("reason", reason);
        if (details != null) {
            s.set("details", details);
        }
        s.put("code", code);
        return s;
    }
}
