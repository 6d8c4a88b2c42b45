package dev.tide.api.serving.v1;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Fields;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.autoscaling.AutoscalingAnnotations;
import dev.tide.api.config.ClusterConfig;
import dev.tide.api.naming.Names;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.util.HashSet;
import java.util.Set;

/** Validates Knative Services, Configurations, Routes and Revisions, every error with its field path. */
public final class ServingValidator {

    private ServingValidator() {
    }

    public static FieldErrors service(JsonNode svc, ClusterConfig config) {
        FieldErrors errors = new FieldErrors();
        JsonNode spec = svc.get("spec");
        if (spec == null || !spec.isObject()) {
            errors.add(FieldError.missingField("spec"));
            return errors;
        }
        AffinityAnnotations.validate(Meta.annotations(svc), "metadata.annotations", errors);
        template(spec.get("template"), Meta.name(svc), config, "spec.template", errors);
        traffic(spec, true, config, "spec.traffic", errors);
        return errors;
    }

    public static FieldErrors configuration(JsonNode cfg, ClusterConfig config) {
        FieldErrors errors = new FieldErrors();
        JsonNode spec = cfg.get("spec");
        if (spec == null || !spec.isObject()) {
            errors.add(FieldError.missingField("spec"));
            return errors;
        }
        template(spec.get("template"), Meta.name(cfg), config, "spec.template", errors);
        return errors;
    }

    public static FieldErrors route(JsonNode route, ClusterConfig config) {
        FieldErrors errors = new FieldErrors();
        traffic(route.path("spec"), false, config, "spec.traffic", errors);
        return errors;
    }

    public static FieldErrors revision(JsonNode rev, ClusterConfig config) {
        FieldErrors errors = new FieldErrors();
        RevisionSpecValidator.validate(rev.get("spec"), config.defaults(), "spec", errors);
        AutoscalingAnnotations.validate(Meta.annotations(rev), config.autoscaler(), "metadata.annotations", errors);
        return errors;
    }

    static void template(JsonNode template, String parentName, ClusterConfig config, String path, FieldErrors errors) {
        if (template == null || !template.isObject()) {
            errors.add(FieldError.missingField(path));
            return;
        }
        JsonNode meta = template.get("metadata");
        String name = Json.text(meta, "name");
        if (name != null && !name.isEmpty()) {
            if (!name.startsWith(parentName + "-")) {
                errors.add(FieldError.invalidValue(name, path + ".metadata.name",
                        "a revision name must have the prefix \"" + parentName + "-\""));
            } else if (!Names.isDns1035Label(name)) {
                errors.add(FieldError.invalidValue(name, path + ".metadata.name", "a revision name must be a DNS-1035 label"));
            }
        }
        if (meta != null) {
            AutoscalingAnnotations.validate(Meta.strings(meta.get("annotations")), config.autoscaler(),
                    path + ".metadata.annotations", errors);
        }
        RevisionSpecValidator.validate(template.get("spec"), config.defaults(), path + ".spec", errors);
    }

    /**
     * Traffic rules: each target names either a revision or the latest revision, percents are 0..100 and sum
     * to 100, tags are unique DNS labels, and {@code url} is status only.
     *
     * @param inService targets of a Service, which always mean its own configuration
     */
    static void traffic(JsonNode spec, boolean inService, ClusterConfig config, String path, FieldErrors errors) {
        JsonNode list = Fields.array(spec, "traffic", path, errors);
        if (list.isEmpty()) {
            return;
        }
        long sum = 0;
        Set<String> tags = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            String tp = path + "[" + i + "]";
            if (!t.isObject()) {
                errors.add(FieldError.invalidValue(t.toString(), tp, "expected an object"));
                continue;
            }
            String revision = Fields.string(t, "revisionName", tp + ".revisionName", errors).orElse("");
            String configuration = Fields.string(t, "configurationName", tp + ".configurationName", errors).orElse("");
            Boolean latest = Fields.bool(t, "latestRevision", tp + ".latestRevision", errors).orElse(null);
            if (inService && !configuration.isEmpty()) {
                errors.add(FieldError.disallowedField(tp + ".configurationName"));
            }
            if (!revision.isEmpty() && !configuration.isEmpty()) {
                errors.add(FieldError.bothSet(tp + ".revisionName", tp + ".configurationName"));
            }
            if (Boolean.TRUE.equals(latest) && !revision.isEmpty()) {
                errors.add(FieldError.of("may not set revisionName \"" + revision + "\" when latestRevision is true",
                        tp + ".latestRevision"));
            }
            if (Boolean.FALSE.equals(latest) && !configuration.isEmpty()) {
                errors.add(FieldError.of("may not set latestRevision=false on configurationName \"" + configuration + "\"",
                        tp + ".latestRevision"));
            }
            if (Boolean.FALSE.equals(latest) && revision.isEmpty()) {
                errors.add(FieldError.missingField(tp + ".revisionName"));
            }
            if (!inService && latest == null && revision.isEmpty() && configuration.isEmpty()) {
                errors.add(FieldError.neitherSet(tp + ".revisionName", tp + ".configurationName"));
            }
            long percent = Fields.integer(t, "percent", tp + ".percent", errors).orElse(0L);
            if (percent < 0 || percent > 100) {
                errors.add(FieldError.outOfBounds(percent, 0, 100, tp + ".percent"));
            }
            sum += percent;
            Fields.string(t, "tag", tp + ".tag", errors).ifPresent(tag -> {
                if (!Names.isDns1035Label(tag)) {
                    errors.add(FieldError.invalidValue(tag, tp + ".tag", "a tag is part of a hostname: a DNS-1035 label"));
                } else if (!tags.add(tag)) {
                    errors.add(FieldError.of("Multiple definitions for \"" + tag + "\"", tp + ".tag"));
                }
            });
            if (Fields.isSet(t, "url")) {
                errors.add(FieldError.disallowedField(tp + ".url"));
            }
        }
        if (sum != 100) {
            errors.add(FieldError.of("Traffic targets sum to " + sum + ", want 100", path));
        }
    }
}
