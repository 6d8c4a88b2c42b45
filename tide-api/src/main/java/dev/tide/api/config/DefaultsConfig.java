package dev.tide.api.config;

import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.util.Map;

/**
 * Revision defaults, ConfigMap {@code config-defaults} in {@code knative-serving}, with Knative's keys and defaults.
 *
 * @param revisionTimeoutSeconds       default {@code timeoutSeconds} of a revision (request timeout)
 * @param maxRevisionTimeoutSeconds    the largest {@code timeoutSeconds} a revision may set
 * @param containerConcurrency         default {@code containerConcurrency} (0 = unlimited)
 * @param containerConcurrencyMaxLimit the largest {@code containerConcurrency} a revision may set
 * @param containerNameTemplate        the name given to a single container that has none
 */
public record DefaultsConfig(long revisionTimeoutSeconds, long maxRevisionTimeoutSeconds, long containerConcurrency,
                             long containerConcurrencyMaxLimit, String containerNameTemplate) {

    public static final String NAME = "config-defaults";
    public static final DefaultsConfig DEFAULTS = new DefaultsConfig(300, 600, 0, 1000, "user-container");

    public static DefaultsConfig parse(Map<String, String> data, FieldErrors errors) {
        ConfigData d = new ConfigData(data, errors);
        DefaultsConfig c = new DefaultsConfig(
                d.int32("revision-timeout-seconds", (int) DEFAULTS.revisionTimeoutSeconds),
                d.int32("max-revision-timeout-seconds", (int) DEFAULTS.maxRevisionTimeoutSeconds),
                d.int32("container-concurrency", (int) DEFAULTS.containerConcurrency),
                d.int32("container-concurrency-max-limit", (int) DEFAULTS.containerConcurrencyMaxLimit),
                d.string("container-name-template", DEFAULTS.containerNameTemplate));
        if (c.revisionTimeoutSeconds < 1) {
            errors.add(FieldError.invalidValue(c.revisionTimeoutSeconds, ConfigData.path("revision-timeout-seconds"), "must be >= 1"));
        }
        if (c.maxRevisionTimeoutSeconds < c.revisionTimeoutSeconds) {
            errors.add(FieldError.outOfBounds(c.revisionTimeoutSeconds, 1, c.maxRevisionTimeoutSeconds,
                    ConfigData.path("revision-timeout-seconds")));
        }
        if (c.containerConcurrencyMaxLimit < 1) {
            errors.add(FieldError.invalidValue(c.containerConcurrencyMaxLimit,
                    ConfigData.path("container-concurrency-max-limit"), "must be >= 1"));
        }
        if (c.containerConcurrency < 0 || c.containerConcurrency > c.containerConcurrencyMaxLimit) {
            errors.add(FieldError.outOfBounds(c.containerConcurrency, 0, c.containerConcurrencyMaxLimit,
                    ConfigData.path("container-concurrency")));
        }
        return c;
    }
}
