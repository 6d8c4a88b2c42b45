package dev.tide.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.config.ClusterConfig;
import dev.tide.api.config.ObservabilityConfig;
import dev.tide.api.kserve.v1beta1.InferenceServiceValidator;
import dev.tide.api.naming.Names;
import dev.tide.api.resources.LocalLimits;
import dev.tide.api.schema.SchemaCheck;
import dev.tide.api.schema.Schemas;
import dev.tide.api.serving.v1.ServingDefaults;
import dev.tide.api.serving.v1.ServingValidator;
import dev.tide.common.template.GoTemplate;
import dev.tide.common.template.RequestLogFields;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import dev.tide.common.validation.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What happens to every object before it is stored, on the server and in {@code tide validate} alike:
 * normalise, default, validate. Pure: it only changes the object it is given.
 */
public final class Admission {

    private static final Pattern DATA_KEY = Pattern.compile("[-._a-zA-Z0-9]+");

    /** An admitted object and the warnings to show the user (kubectl prints them as {@code Warning: ...}). */
    public record Admitted(ObjectNode object, List<String> warnings) {
    }

    private Admission() {
    }

    /**
     * Admits {@code obj} of {@code type}.
     *
     * @throws ValidationException with every error found, each with its field path
     */
    public static Admitted admit(ResourceType type, ObjectNode obj, ClusterConfig config) {
        return admit(type, obj, config, FieldValidation.STRICT);
    }

    /**
     * Admits {@code obj}, its fields first checked against the kind's schema: values of the wrong type or range are
     * errors (nothing else is validated until they are mended, as a Kubernetes decoder stops there), fields the kind
     * does not have are handled as {@code fieldValidation} says.
     *
     * @throws ValidationException with every error found, each with its field path
     * @throws FieldValidation.UnknownFields under {@link FieldValidation#STRICT}, naming every unknown field
     */
    public static Admitted admit(ResourceType type, ObjectNode obj, ClusterConfig config, FieldValidation fieldValidation) {
        return admit(type, obj, config, fieldValidation, LocalLimits.MEASURED);
    }

    /**
     * As {@link #admit(ResourceType, ObjectNode, ClusterConfig, FieldValidation)}, warning about every container limit
     * {@code limits} says local replicas are not held to.
     */
    public static Admitted admit(ResourceType type, ObjectNode obj, ClusterConfig config, FieldValidation fieldValidation,
                                 LocalLimits limits) {
        return admit(type, obj, config, fieldValidation, limits, false);
    }

    /**
     * As {@link #admit(ResourceType, ObjectNode, ClusterConfig, FieldValidation, LocalLimits)}; {@code cluster} when
     * image-only containers run as Pods on a cluster, which then carry ACK's pod annotations of their template.
     */
    public static Admitted admit(ResourceType type, ObjectNode obj, ClusterConfig config, FieldValidation fieldValidation,
                                 LocalLimits limits, boolean cluster) {
        List<String> warnings = new ArrayList<>();
        FieldErrors errors = new FieldErrors();
        if (type == ResourceTypes.POD) {
            // As a Deployment's pods: Tide makes one for each replica the autoscaler wants; a Pod of one's own is not run.
            errors.add(FieldError.of("Tide's Pods are its view of a revision's replicas and cannot be written: "
                    + "apply a Knative Service or an InferenceService instead", "kind"));
            errors.throwIfAny();
        }
        SchemaCheck.Result shape = SchemaCheck.check(Schemas.of(type), obj, fieldValidation != FieldValidation.STRICT);
        if (!shape.errors().isEmpty()) {
            shape.errors().forEach(errors::add);
            errors.throwIfAny();
        }
        if (!shape.unknownFields().isEmpty()) {
            switch (fieldValidation) {
                case STRICT -> throw new FieldValidation.UnknownFields(type, shape.unknownFields());
                case WARN -> shape.unknownFields().forEach(p -> warnings.add("unknown field \"" + p + "\""));
                case IGNORE -> { }
            }
        }
        metadata(type, obj, errors);
        MetadataRules.check(obj.path("metadata"), "metadata", errors);
        MetadataRules.check(obj.path("spec").path("template").path("metadata"), "spec.template.metadata", errors);
        stringValues(obj.path("metadata"), "labels", "metadata.labels", warnings);
        stringValues(obj.path("metadata"), "annotations", "metadata.annotations", warnings);
        JsonNode templateMeta = obj.path("spec").path("template").path("metadata");
        stringValues(templateMeta, "labels", "spec.template.metadata.labels", warnings);
        stringValues(templateMeta, "annotations", "spec.template.metadata.annotations", warnings);
        if (type == ResourceTypes.SERVICE) {
            ServingDefaults.service(obj, config);
            errors.addAll(ServingValidator.service(obj, config));
        } else if (type == ResourceTypes.CONFIGURATION) {
            ServingDefaults.configuration(obj, config);
            errors.addAll(ServingValidator.configuration(obj, config));
        } else if (type == ResourceTypes.ROUTE) {
            ServingDefaults.route(obj);
            errors.addAll(ServingValidator.route(obj, config));
        } else if (type == ResourceTypes.REVISION) {
            ServingDefaults.revision(obj, config);
            errors.addAll(ServingValidator.revision(obj, config));
        } else if (type == ResourceTypes.INFERENCE_SERVICE) {
            errors.addAll(InferenceServiceValidator.validate(obj, config));
        } else if (type == ResourceTypes.CONFIG_MAP) {
            stringValues(obj, "data", "data", warnings);
            if (ClusterConfig.isConfigMap(Meta.namespace(obj), Meta.name(obj))) {
                errors.addAll(ClusterConfig.validate(Meta.name(obj), Meta.strings(obj.get("data"))));
            }
            requestLogTemplate(obj, warnings);
        } else if (type == ResourceTypes.SECRET) {
            secret(obj, errors);
        }
        errors.throwIfAny();
        unenforcedLimits(type, obj, limits).forEach(path -> warnings.add(path + ": "
                + limits.whyNot(path.substring(path.lastIndexOf(".limits.") + ".limits.".length()))));
        List<String> vendor = new ArrayList<>(VendorAnnotations.notActedOn(Meta.annotations(obj)));
        vendor.addAll(VendorAnnotations.notActedOn(Meta.strings(templateMeta.get("annotations")), cluster && imageOnly(type, obj)));
        if (!vendor.isEmpty()) {
            warnings.add("stored but not acted on by Tide yet: " + String.join(", ", vendor));
        }
        return new Admitted(obj, warnings);
    }

    /**
     * Where the object sets a container's limit that Tide's process runtime does not enforce: every one {@code limits}
     * does not hold, but {@code nvidia.com/gpu} on a predictor's model, which Tide's model server acts on.
     */
    static List<String> unenforcedLimits(ResourceType type, JsonNode obj, LocalLimits limits) {
        List<String> paths = new ArrayList<>();
        java.util.function.BiConsumer<JsonNode, String> containers = (list, at) -> {
            for (int i = 0; i < list.size(); i++) {
                String base = at + "[" + i + "].resources.limits.";
                list.get(i).path("resources").path("limits").fieldNames().forEachRemaining(r -> {
                    if (!limits.enforces(r)) {
                        paths.add(base + r);
                    }
                });
            }
        };
        JsonNode spec = obj.path("spec");
        if (type == ResourceTypes.SERVICE || type == ResourceTypes.CONFIGURATION) {
            containers.accept(spec.path("template").path("spec").path("containers"), "spec.template.spec.containers");
        } else if (type == ResourceTypes.REVISION) {
            containers.accept(spec.path("containers"), "spec.containers");
        } else if (type == ResourceTypes.INFERENCE_SERVICE) {
            for (String component : List.of("predictor", "transformer")) {
                JsonNode c = spec.path(component);
                containers.accept(c.path("containers"), "spec." + component + ".containers");
                List<String> models = new ArrayList<>(List.of("model"));
                models.addAll(dev.tide.api.kserve.v1beta1.InferenceServiceValidator.FRAMEWORKS);
                for (String m : models) {
                    String base = "spec." + component + "." + m + ".resources.limits.";
                    c.path(m).path("resources").path("limits").fieldNames().forEachRemaining(r -> {
                        if (!limits.enforces(r) && !r.equals("nvidia.com/gpu")) {
                            paths.add(base + r);
                        }
                    });
                }
            }
        }
        return paths;
    }

    /** Whether the Service's or Configuration's template runs an image without a command: a pod, on a cluster. */
    private static boolean imageOnly(ResourceType type, JsonNode obj) {
        if (type != ResourceTypes.SERVICE && type != ResourceTypes.CONFIGURATION) {
            return false;
        }
        JsonNode c = obj.path("spec").path("template").path("spec").path("containers").path(0);
        return c.hasNonNull("image") && c.path("command").isEmpty();
    }

    private static void metadata(ResourceType type, ObjectNode obj, FieldErrors errors) {
        String name = Meta.name(obj);
        if (name.isEmpty()) {
            errors.add(Json.text(obj.get("metadata"), "generateName") != null
                    ? FieldError.of("generateName is not supported: give the object a name", "metadata.generateName")
                    : FieldError.missingField("metadata.name"));
        } else if (type.group().isEmpty() ? !Names.isDns1123Subdomain(name) : !Names.isDns1035Label(name)) {
            errors.add(FieldError.invalidValue(name, "metadata.name", type.group().isEmpty()
                    ? "a name must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')"
                    : "a name must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, at most 63 characters"));
        }
        String namespace = Meta.namespace(obj);
        if (!namespace.isEmpty() && !Names.isDns1123Label(namespace)) {
            errors.add(FieldError.invalidValue(namespace, "metadata.namespace", "a namespace must be a DNS-1123 label"));
        }
    }

    /**
     * Kubernetes keeps labels, annotations and ConfigMap data as strings and refuses anything else. YAML turns an
     * unquoted {@code 1} into a number, a common slip in documentation (Knative's own examples have it), so Tide
     * stores the text instead and warns.
     */
    private static void stringValues(JsonNode parent, String field, String path, List<String> warnings) {
        if (!(parent.get(field) instanceof ObjectNode map)) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : new ArrayList<>(map.properties())) {
            JsonNode v = e.getValue();
            if (v.isValueNode() && !v.isTextual() && !v.isNull()) {
                map.put(e.getKey(), v.asText());
                warnings.add(path + "[" + e.getKey() + "]: " + v.asText() + " is not a string; stored as \""
                        + v.asText() + "\" (quote it in YAML)");
            }
        }
    }

    /**
     * config-observability's request-log template, parsed as the gateway will: a template that does not parse is a
     * warning (the ConfigMap is stored, request logs stay off), naming the field and Go's complaint.
     */
    private static void requestLogTemplate(ObjectNode cm, List<String> warnings) {
        if (!ObservabilityConfig.NAME.equals(Meta.name(cm)) || !ClusterConfig.isConfigMap(Meta.namespace(cm), Meta.name(cm))) {
            return;
        }
        String template = Meta.strings(cm.get("data")).get("logging.request-log-template");
        if (template == null || template.isBlank()) {
            return;
        }
        try {
            GoTemplate.parse(template, RequestLogFields.ALL);
        } catch (IllegalArgumentException e) {
            warnings.add("data[logging.request-log-template]: " + e.getMessage() + "; request logs stay off until it parses");
        }
    }

    /**
     * Secrets: {@code stringData} is merged into {@code data} as base64, as Kubernetes does. Errors name keys,
     * never values.
     */
    private static void secret(ObjectNode secret, FieldErrors errors) {
        ObjectNode data = Json.with(secret, "data");
        if (secret.get("stringData") instanceof ObjectNode stringData) {
            stringData.properties().forEach(e -> data.put(e.getKey(),
                    Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
            secret.remove("stringData");
        }
        data.properties().forEach(e -> {
            if (!DATA_KEY.matcher(e.getKey()).matches()) {
                errors.add(FieldError.of("invalid key: letters, digits, '-', '_' and '.' only", "data[" + e.getKey() + "]"));
            }
            try {
                Base64.getDecoder().decode(e.getValue().asText());
            } catch (IllegalArgumentException ex) {
                errors.add(FieldError.of("value is not valid base64 (use stringData for plain text)", "data[" + e.getKey() + "]"));
            }
        });
        if (!secret.hasNonNull("type")) {
            secret.put("type", "Opaque");
        }
    }
}
