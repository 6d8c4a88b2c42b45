package dev.tide.api.config;

import dev.tide.common.text.GoBool;
import dev.tide.common.text.GoDuration;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.time.Duration;
import java.util.Map;

/**
 * Typed reads of a ConfigMap's {@code data}, each key with a default. A value that does not parse is reported
 * at {@code data[key]} and the default is used, so parsing can go on and report every bad key at once.
 */
final class ConfigData {

    private final Map<String, String> data;
    private final FieldErrors errors;

    ConfigData(Map<String, String> data, FieldErrors errors) {
        this.data = data;
        this.errors = errors;
    }

    static String path(String key) {
        return "data[" + key + "]";
    }

    String string(String key, String fallback) {
        String v = data.get(key);
        return v == null ? fallback : v;
    }

    boolean bool(String key, boolean fallback) {
        String v = data.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return GoBool.parse(v.trim());
        } catch (IllegalArgumentException e) {
            errors.add(FieldError.invalidValue(v, path(key), "expected a boolean (true or false)"));
            return fallback;
        }
    }

    double decimal(String key, double fallback) {
        String v = data.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException(v);
            }
            return d;
        } catch (NumberFormatException e) {
            errors.add(FieldError.invalidValue(v, path(key), "expected a decimal number"));
            return fallback;
        }
    }

    int int32(String key, int fallback) {
        String v = data.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            errors.add(FieldError.invalidValue(v, path(key), "expected a 32-bit integer"));
            return fallback;
        }
    }

    Duration duration(String key, Duration fallback) {
        String v = data.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return GoDuration.parse(v.trim());
        } catch (IllegalArgumentException e) {
            errors.add(FieldError.invalidValue(v, path(key), e.getMessage()));
            return fallback;
        }
    }
}
