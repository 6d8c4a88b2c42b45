package dev.tide.api.config;

import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.util.Map;
import java.util.Optional;

/**
 * Every cluster-wide setting Tide reads from the ConfigMaps in namespace {@code knative-serving}, resolved
 * over the defaults. Immutable: a ConfigMap change produces a new instance.
 *
 * @param domain the domain of route URLs ({@code http://NAME.NAMESPACE.DOMAIN}), from {@code config-domain}
 *               or the server's {@code --domain}
 */
public record ClusterConfig(AutoscalerConfig autoscaler, DefaultsConfig defaults, DeploymentConfig deployment,
                            ObservabilityConfig observability, String domain) {

    /** The namespace whose ConfigMaps configure Tide, as in Knative. */
    public static final String NAMESPACE = "knative-serving";
    public static final String DOMAIN_CONFIG = "config-domain";
    public static final String DEFAULT_DOMAIN = "example.com";

    public static ClusterConfig defaults(String domain) {
        return new ClusterConfig(AutoscalerConfig.DEFAULTS, DefaultsConfig.DEFAULTS, DeploymentConfig.DEFAULTS,
                ObservabilityConfig.DEFAULTS, domain);
    }

    /** Whether {@code name} in {@link #NAMESPACE} is a ConfigMap Tide reads. */
    public static boolean isConfigMap(String namespace, String name) {
        return NAMESPACE.equals(namespace) && switch (name) {
            case AutoscalerConfig.NAME, DefaultsConfig.NAME, DeploymentConfig.NAME, ObservabilityConfig.NAME,
                 DOMAIN_CONFIG -> true;
            default -> false;
        };
    }

    /** Validates one of Tide's ConfigMaps; unknown names pass. */
    public static FieldErrors validate(String name, Map<String, String> data) {
        FieldErrors errors = new FieldErrors();
        switch (name) {
            case AutoscalerConfig.NAME -> AutoscalerConfig.parse(data, errors);
            case DefaultsConfig.NAME -> DefaultsConfig.parse(data, errors);
            case DeploymentConfig.NAME -> DeploymentConfig.parse(data, errors);
            case ObservabilityConfig.NAME -> ObservabilityConfig.parse(data, errors);
            case DOMAIN_CONFIG -> domainOf(data, errors);
            default -> { }
        }
        return errors;
    }

    /**
     * Returns a copy with ConfigMap {@code name}'s data applied. Invalid data was refused at admission, so a
     * value that still does not parse keeps its default here.
     */
    public ClusterConfig with(String name, Map<String, String> data, String fallbackDomain) {
        FieldErrors ignored = new FieldErrors();
        return switch (name) {
            case AutoscalerConfig.NAME -> new ClusterConfig(AutoscalerConfig.parse(data, ignored), defaults, deployment, observability, domain);
            case DefaultsConfig.NAME -> new ClusterConfig(autoscaler, DefaultsConfig.parse(data, ignored), deployment, observability, domain);
            case DeploymentConfig.NAME -> new ClusterConfig(autoscaler, defaults, DeploymentConfig.parse(data, ignored), observability, domain);
            case ObservabilityConfig.NAME -> new ClusterConfig(autoscaler, defaults, deployment, ObservabilityConfig.parse(data, ignored), domain);
            case DOMAIN_CONFIG -> new ClusterConfig(autoscaler, defaults, deployment, observability,
                    domainOf(data, ignored).orElse(fallbackDomain));
            default -> this;
        };
    }

    /**
     * The default domain in a {@code config-domain}: Knative's keys are domains and an empty value (no label
     * selector) marks the default; {@code _example} is documentation.
     */
    static Optional<String> domainOf(Map<String, String> data, FieldErrors errors) {
        String found = null;
        for (Map.Entry<String, String> e : data.entrySet()) {
            if (e.getKey().startsWith("_")) {
                continue;
            }
            if (!e.getKey().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
                errors.add(FieldError.invalidValue(e.getKey(), "data", "a domain must be a DNS-1123 subdomain"));
                continue;
            }
            if (found == null && (e.getValue() == null || e.getValue().isBlank())) {
                found = e.getKey();
            }
        }
        return Optional.ofNullable(found);
    }
}
