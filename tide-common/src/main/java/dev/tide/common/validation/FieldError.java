package dev.tide.common.validation;

import java.util.List;
import java.util.Objects;

/**
 * One validation failure, worded the way Knative's admission webhook words it so that users see the same
 * text they know: {@code expected 0 <= 101 <= 100: spec.traffic[0].percent}.
 *
 * @param message what is wrong, without the field path
 * @param paths   the field paths the message applies to (at least one)
 * @param details an optional second line with more explanation, or the empty string
 */
public record FieldError(String message, List<String> paths, String details) {

    public FieldError {
        Objects.requireNonNull(message, "message");
        paths = List.copyOf(paths);
        details = details == null ? "" : details;
    }

    /** A free-form message for one path. */
    public static FieldError of(String message, String path) {
        return new FieldError(message, List.of(path), "");
    }

    /** {@code expected lower <= value <= upper: path}, numbers printed as Go's {@code %v} prints them. */
    public static FieldError outOfBounds(Object value, Object lower, Object upper, String path) {
        return of("expected " + format(lower) + " <= " + format(value) + " <= " + format(upper), path);
    }

    /** {@code invalid value: value: path}. */
    public static FieldError invalidValue(Object value, String path) {
        return of("invalid value: " + format(value), path);
    }

    /** {@code invalid value: value: path} with a second line saying why. */
    public static FieldError invalidValue(Object value, String path, String details) {
        return new FieldError("invalid value: " + format(value), List.of(path), details);
    }

    /** {@code missing field(s): path}. */
    public static FieldError missingField(String path) {
        return of("missing field(s)", path);
    }

    /** {@code must not set the field(s): path}. */
    public static FieldError disallowedField(String path) {
        return of("must not set the field(s)", path);
    }

    /** {@code expected exactly one, got both: a, b}. */
    public static FieldError bothSet(String... paths) {
        return new FieldError("expected exactly one, got both", List.of(paths), "");
    }

    /** {@code expected exactly one, got neither: a, b}. */
    public static FieldError neitherSet(String... paths) {
        return new FieldError("expected exactly one, got neither", List.of(paths), "");
    }

    /** The paths joined by {@code ", "}. */
    public String path() {
        return String.join(", ", paths);
    }

    @Override
    public String toString() {
        String line = message + ": " + path();
        return details.isEmpty() ? line : line + "\n" + details;
    }

    /**
     * Formats a value the way Go's {@code %v} does for the values validation reports: whole doubles
     * without a fraction ({@code 100.0} prints {@code 100}), other numbers as written.
     */
    static String format(Object value) {
        if (value instanceof Double d && !d.isInfinite() && !d.isNaN() && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        if (value instanceof Float f) {
            return format(f.doubleValue());
        }
        return String.valueOf(value);
    }
}
