package dev.tide.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.util.Optional;

/** Typed reads of JSON fields that report a wrong type at the field's path instead of failing. */
public final class Fields {

    private Fields() {
    }

    public static boolean isSet(JsonNode parent, String field) {
        JsonNode v = parent == null ? null : parent.get(field);
        return v != null && !v.isNull();
    }

    /** A whole number at {@code parent.field}; a number in a string ({@code "5"}) is accepted as Kubernetes' YAML users expect it not to be, so it is reported. */
    public static Optional<Long> integer(JsonNode parent, String field, String path, FieldErrors errors) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (v.isIntegralNumber() && v.canConvertToLong() || (v.isFloatingPointNumber() && v.asDouble() == Math.rint(v.asDouble())
                && Math.abs(v.asDouble()) < 0x1p63)) {
            return Optional.of(v.asLong());
        }
        if (v.isIntegralNumber()) {
            errors.add(FieldError.invalidValue(v.toString(), path, "expected an int64 (-9223372036854775808..9223372036854775807)"));
            return Optional.empty();
        }
        errors.add(FieldError.invalidValue(v.isTextual() ? v.asText() : v.toString(), path, "expected an integer"));
        return Optional.empty();
    }

    public static Optional<String> string(JsonNode parent, String field, String path, FieldErrors errors) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            errors.add(FieldError.invalidValue(v.toString(), path, "expected a string"));
            return Optional.empty();
        }
        return Optional.of(v.asText());
    }

    public static Optional<Boolean> bool(JsonNode parent, String field, String path, FieldErrors errors) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            errors.add(FieldError.invalidValue(v.isTextual() ? v.asText() : v.toString(), path, "expected true or false"));
            return Optional.empty();
        }
        return Optional.of(v.asBoolean());
    }

    /** The array at {@code parent.field}, or an empty array node; a non-array is reported. */
    public static JsonNode array(JsonNode parent, String field, String path, FieldErrors errors) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || v.isNull()) {
            return Json.MAPPER.createArrayNode();
        }
        if (!v.isArray()) {
            errors.add(FieldError.invalidValue(v.toString(), path, "expected a list"));
            return Json.MAPPER.createArrayNode();
        }
        return v;
    }

    /** The object at {@code parent.field}, or {@code null}; a non-object is reported. */
    public static JsonNode object(JsonNode parent, String field, String path, FieldErrors errors) {
        JsonNode v = parent == null ? null : parent.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            errors.add(FieldError.invalidValue(v.toString(), path, "expected an object"));
            return null;
        }
        return v;
    }
}
