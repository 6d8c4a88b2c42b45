package dev.tide.common.validation;

import dev.tide.common.text.GoBool;
import dev.tide.common.text.GoDuration;
import java.time.Duration;
import java.util.Optional;

/**
 * Typed parsing of the string values Knative keeps in annotations and ConfigMaps. A value that does not parse is
 * reported at {@code path} and comes back empty, so a validator can go on and report every bad value at once.
 */
public final class Values {

    private Values() {
    }

    /** A finite decimal number. */
    public static Optional<Double> decimal(String text, String path, FieldErrors errors) {
        try {
            double d = Double.parseDouble(text.trim());
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException(text);
            }
            return Optional.of(d);
        } catch (NumberFormatException e) {
            errors.add(FieldError.invalidValue(text, path, "expected a number"));
            return Optional.empty();
        }
    }

    /** A 32-bit signed integer, as Go's {@code strconv.ParseInt(s, 10, 32)} reads it. */
    public static Optional<Integer> int32(String text, String path, FieldErrors errors) {
        try {
            return Optional.of(Integer.parseInt(text.trim()));
        } catch (NumberFormatException e) {
            errors.add(FieldError.invalidValue(text, path, "expected a 32-bit integer"));
            return Optional.empty();
        }
    }

    /** A Go duration ({@code 60s}, {@code 2m3s}, {@code 0}). */
    public static Optional<Duration> duration(String text, String path, FieldErrors errors) {
        try {
            return Optional.of(GoDuration.parse(text.trim()));
        } catch (IllegalArgumentException e) {
            errors.add(FieldError.invalidValue(text, path, e.getMessage()));
            return Optional.empty();
        }
    }

    /** A Go boolean ({@code true}, {@code False}, {@code 1}, {@code f}, ...). */
    public static Optional<Boolean> bool(String text, String path, FieldErrors errors) {
        try {
            return Optional.of(GoBool.parse(text.trim()));
        } catch (IllegalArgumentException e) {
            errors.add(FieldError.invalidValue(text, path, "expected a boolean (true or false)"));
            return Optional.empty();
        }
    }
}
