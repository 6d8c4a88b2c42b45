package dev.tide.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.common.validation.FieldError;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Walks an object against its {@link Schema}: unknown fields (by path, for {@code fieldValidation}) and values of the
 * wrong type or out of range (always errors, as a Kubernetes decoder refuses them). Pure.
 */
public final class SchemaCheck {

    private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** @param unknownFields paths such as {@code spec.template.spec.containers[0].foo}, in document order */
    public record Result(List<String> unknownFields, List<FieldError> errors) {
        public Result {
            unknownFields = List.copyOf(unknownFields);
            errors = List.copyOf(errors);
        }
    }

    private final List<String> unknown = new ArrayList<>();
    private final List<FieldError> errors = new ArrayList<>();
    private final boolean prune;

    private SchemaCheck(boolean prune) {
        this.prune = prune;
    }

    /**
     * @param prune whether unknown fields are removed from {@code obj} (what Kubernetes stores under {@code Warn}
     *              and {@code Ignore})
     */
    public static Result check(Schema schema, JsonNode obj, boolean prune) {
        SchemaCheck c = new SchemaCheck(prune);
        c.walk(schema, obj, "");
        return new Result(c.unknown, c.errors);
    }

    private void walk(Schema schema, JsonNode v, String path) {
        if (v == null || v.isNull()) {
            return;
        }
        switch (schema) {
            case Schema.Obj o -> {
                if (!(v instanceof ObjectNode node)) {
                    errors.add(FieldError.invalidValue(show(v), path, "expected an object"));
                    return;
                }
                for (Map.Entry<String, JsonNode> e : new ArrayList<>(node.properties())) {
                    String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                    Schema child = o.fields().get(e.getKey());
                    if (child == null) {
                        unknown.add(p);
                        if (prune) {
                            node.remove(e.getKey());
                        }
                    } else {
                        walk(child, e.getValue(), p);
                    }
                }
            }
            case Schema.MapOf m -> {
                if (!v.isObject()) {
                    errors.add(FieldError.invalidValue(show(v), path, "expected an object"));
                    return;
                }
                for (Map.Entry<String, JsonNode> e : v.properties()) {
                    walk(m.values(), e.getValue(), path + "[" + e.getKey() + "]");
                }
            }
            case Schema.ListOf l -> {
                if (!(v instanceof ArrayNode a)) {
                    errors.add(FieldError.invalidValue(show(v), path, "expected a list"));
                    return;
                }
                for (int i = 0; i < a.size(); i++) {
                    walk(l.items(), a.get(i), path + "[" + i + "]");
                }
            }
            case Schema.Scalar s -> scalar(s, v, path);
        }
    }

    private void scalar(Schema.Scalar s, JsonNode v, String path) {
        String shown = show(v);
        switch (s) {
            case STRING -> {
                if (!v.isTextual()) {
                    errors.add(FieldError.invalidValue(shown, path, "expected a string"));
                }
            }
            case BOOLEAN -> {
                if (!v.isBoolean()) {
                    errors.add(FieldError.invalidValue(shown, path, "expected true or false"));
                }
            }
            case INT32, INT64 -> integer(s, v, shown, path);
            case NUMBER -> {
                if (!v.isNumber()) {
                    errors.add(FieldError.invalidValue(shown, path, "expected a number"));
                }
            }
            case INT_OR_STRING -> {
                if (v.isTextual()) {
                    return;
                }
                integer(Schema.Scalar.INT32, v, shown, path);
            }
            case QUANTITY -> {
                if (!v.isTextual() && !v.isNumber()) {
                    errors.add(FieldError.invalidValue(shown, path, "expected a quantity such as \"500m\" or \"1Gi\""));
                }
            }
            case TEXT -> {
                if (v.isContainerNode()) {
                    errors.add(FieldError.invalidValue(shown, path, "expected a string"));
                }
            }
            case ANY -> { }
        }
    }

    /** A value as the user wrote it: text unquoted, anything else as JSON. */
    private static String show(JsonNode v) {
        return v.isTextual() ? v.asText() : v.toString();
    }

    /** Integral and within the type's range; {@code 5.0} and {@code "5"} are not integers, as for Go's decoder. */
    private void integer(Schema.Scalar s, JsonNode v, String shown, String path) {
        if (!v.isIntegralNumber()) {
            errors.add(FieldError.invalidValue(shown, path, "expected an integer"));
            return;
        }
        BigInteger b = v.bigIntegerValue();
        boolean in = s == Schema.Scalar.INT32
                ? b.compareTo(BigInteger.valueOf(Integer.MIN_VALUE)) >= 0 && b.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) <= 0
                : b.compareTo(INT64_MIN) >= 0 && b.compareTo(INT64_MAX) <= 0;
        if (!in) {
            errors.add(FieldError.invalidValue(shown, path, s == Schema.Scalar.INT32
                    ? "expected an int32 (-2147483648..2147483647)" : "expected an int64 (-9223372036854775808..9223372036854775807)"));
        }
    }
}
