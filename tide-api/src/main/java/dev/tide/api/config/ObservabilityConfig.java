package dev.tide.api.config;

import dev.tide.common.validation.FieldErrors;
import java.util.Map;

/**
 * ConfigMap {@code config-observability}: request logging switches and the Go-template of each log line.
 *
 * @param enableRequestLog      {@code logging.enable-request-log}
 * @param requestLogTemplate    {@code logging.request-log-template}, Go-template syntax
 * @param enableProbeRequestLog {@code logging.enable-probe-request-log}
 */
public record ObservabilityConfig(boolean enableRequestLog, String requestLogTemplate, boolean enableProbeRequestLog) {

    public static final String NAME = "config-observability";
    public static final ObservabilityConfig DEFAULTS = new ObservabilityConfig(false, "", false);

    public static ObservabilityConfig parse(Map<String, String> data, FieldErrors errors) {
        ConfigData d = new ConfigData(data, errors);
        return new ObservabilityConfig(
                d.bool("logging.enable-request-log", DEFAULTS.enableRequestLog),
                d.string("logging.request-log-template", DEFAULTS.requestLogTemplate),
                d.bool("logging.enable-probe-request-log", DEFAULTS.enableProbeRequestLog));
    }
}
