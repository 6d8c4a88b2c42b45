package dev.tide.api;

import java.util.List;

/**
 * Kubernetes' {@code fieldValidation} query parameter: what a write does with fields the kind does not have.
 * kubectl sends {@code Strict} unless told {@code --validate=false} ({@code Ignore}); a request without the
 * parameter gets {@code Warn}, as from kube-apiserver.
 */
public enum FieldValidation {
    /** Unknown fields fail the write, each named by its path. */
    STRICT,
    /** Unknown fields are dropped and each named in a Warning header. */
    WARN,
    /** Unknown fields are dropped silently. */
    IGNORE;

    /** @param value the parameter as sent, or {@code null} */
    public static FieldValidation parse(String value) {
        if (value == null || value.isEmpty()) {
            return WARN;
        }
        return switch (value) {
            case "Strict" -> STRICT;
            case "Warn" -> WARN;
            case "Ignore" -> IGNORE;
            default -> throw new IllegalArgumentException("fieldValidation: " + value + " (expected: one of " + List.of("Strict", "Warn", "Ignore") + ")");
        };
    }

    /** Fields the kind does not have, refused under {@link #STRICT}: kube-apiserver's {@code strict decoding error}. */
    public static final class UnknownFields extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<String> paths;

        public UnknownFields(ResourceType type, List<String> paths) {
            super(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a " + type.kind()
                    + ": strict decoding error: " + String.join(", ", paths.stream().map(p -> "unknown field \"" + p + "\"").toList()),
                    null, false, false);
            this.paths = List.copyOf(paths);
        }

        public List<String> paths() {
            return paths;
        }
    }
}
