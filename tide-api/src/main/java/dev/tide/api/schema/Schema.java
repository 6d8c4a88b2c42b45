package dev.tide.api.schema;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of an object Tide accepts, as a Kubernetes structural schema gives it: which fields exist and their
 * types. Enough to find unknown fields (kubectl's {@code fieldValidation}) and values of the wrong type or range.
 */
public sealed interface Schema {

    /** An object with these fields and no others. */
    record Obj(Map<String, Schema> fields) implements Schema {
        public Obj {
            fields = Map.copyOf(fields);
        }

        /** This object with {@code more} fields too. */
        public Obj with(Object... more) {
            Map<String, Schema> m = new LinkedHashMap<>(fields);
            m.putAll(obj(more).fields());
            return new Obj(m);
        }
    }

    /** An object whose keys are free and whose values are all {@code values}. */
    record MapOf(Schema values) implements Schema {
    }

    record ListOf(Schema items) implements Schema {
    }

    /** Leaves, with Kubernetes' JSON rules. */
    enum Scalar implements Schema {
        STRING,
        BOOLEAN,
        /** An integer in -2^31..2^31-1, as Go's int32 decodes it. */
        INT32,
        /** An integer in -2^63..2^63-1: {@code 18446744073709551616} is refused, not stored as a float. */
        INT64,
        NUMBER,
        /** {@code 8080} or {@code "http"} (Kubernetes' IntOrString). */
        INT_OR_STRING,
        /** A resource quantity: {@code "500m"}, {@code "1Gi"} or a number. */
        QUANTITY,
        /** A label or annotation value: a string (numbers and booleans are stored as text, with a warning). */
        TEXT,
        /** Anything: a part of the Kubernetes API Tide passes through without looking inside. */
        ANY
    }

    /** {@code obj("name", STRING, "ports", list(PORT))}: alternating field names and schemas. */
    static Obj obj(Object... nameThenSchema) {
        Map<String, Schema> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenSchema.length; i += 2) {
            m.put((String) nameThenSchema[i], (Schema) nameThenSchema[i + 1]);
        }
        return new Obj(m);
    }

    static ListOf list(Schema items) {
        return new ListOf(items);
    }

    static MapOf map(Schema values) {
        return new MapOf(values);
    }
}
