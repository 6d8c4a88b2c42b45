package dev.tide.api.config;

import dev.tide.common.validation.FieldErrors;
import dev.tide.common.validation.Values;
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
        return v == null ? fallback : Values.bool(v, path(key), errors).orElse(fallback);
    }

    double decimal(String key, double fallback) {
        String v = data.get(key);
        return v == null ? fallback : Values.decimal(v, path(key), errors).orElse(fallback);
    }

    int int32(String key, int fallback) {
        String v = data.get(key);
        return v == null ? fallback : Values.int32(v, path(key), errors).orElse(fallback);
    }

    Duration duration(String key, Duration fallback) {
        String v = data.get(key);
        return v == null ? fallback : Values.duration(v, path(key), errors).orElse(fallback);
    }
}
