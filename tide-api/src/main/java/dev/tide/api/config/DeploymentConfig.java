package dev.tide.api.config;

import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.time.Duration;
import java.util.Map;

/**
 * ConfigMap {@code config-deployment}: of Knative's keys only {@code progress-deadline} means something on Tide
 * (a revision activating for longer than it plus 30 s gives up).
 */
public record DeploymentConfig(Duration progressDeadline) {

    public static final String NAME = "config-deployment";
    public static final DeploymentConfig DEFAULTS = new DeploymentConfig(Duration.ofSeconds(600));

    public static DeploymentConfig parse(Map<String, String> data, FieldErrors errors) {
        DeploymentConfig c = new DeploymentConfig(new ConfigData(data, errors).duration("progress-deadline", DEFAULTS.progressDeadline));
        if (c.progressDeadline.compareTo(Duration.ZERO) <= 0) {
            errors.add(FieldError.invalidValue(dev.tide.common.text.GoDuration.format(c.progressDeadline),
                    ConfigData.path("progress-deadline"), "must be > 0s"));
        }
        return c;
    }
}
