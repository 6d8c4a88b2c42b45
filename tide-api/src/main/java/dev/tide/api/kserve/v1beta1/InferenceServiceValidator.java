package dev.tide.api.kserve.v1beta1;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Fields;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.autoscaling.AutoscalingAnnotations;
import dev.tide.api.config.ClusterConfig;
import dev.tide.api.serving.v1.RevisionSpecValidator;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.util.List;

/** Validates a KServe {@code InferenceService} with KServe's rules, every error with its field path. */
public final class InferenceServiceValidator {

    /** The framework shorthands KServe accepts in place of {@code model:}, e.g. {@code predictor.tensorflow}. */
    public static final List<String> FRAMEWORKS = List.of(
            "tensorflow", "pytorch", "sklearn", "xgboost", "onnx", "triton", "pmml", "lightgbm", "paddle", "huggingface");
    /** {@code scaleMetric} values: the first two scale on requests (KPA), the others on resources (HPA). */
    public static final List<String> SCALE_METRICS = List.of("concurrency", "rps", "cpu", "memory");
    private static final List<String> STORAGE_PREFIXES = List.of(
            "gs://", "s3://", "pvc://", "file://", "https://", "http://", "hdfs://", "webhdfs://", "oci://", "hf://");

    private InferenceServiceValidator() {
    }

    public static FieldErrors validate(JsonNode isvc, ClusterConfig config) {
        FieldErrors errors = new FieldErrors();
        AutoscalingAnnotations.validate(Meta.annotations(isvc), config.autoscaler(), "metadata.annotations", errors);
        KServeAnnotations.validate(Meta.annotations(isvc), "metadata.annotations", errors);
        boolean standard = KServeAnnotations.of(Meta.annotations(isvc)).mode() == KServeAnnotations.DeploymentMode.STANDARD;
        JsonNode spec = isvc.get("spec");
        JsonNode predictor = spec == null ? null : spec.get("predictor");
        if (predictor == null || !predictor.isObject()) {
            errors.add(FieldError.missingField("spec.predictor"));
        } else {
            predictor(predictor, config, "spec.predictor", errors);
            standardMode(predictor, standard, "spec.predictor", errors);
        }
        JsonNode transformer = spec == null ? null : spec.get("transformer");
        if (transformer != null && !transformer.isNull()) {
            component(transformer, config, "spec.transformer", errors);
            standardMode(transformer, standard, "spec.transformer", errors);
            if (transformer.path("containers").isEmpty()) {
                errors.add(FieldError.missingField("spec.transformer.containers"));
            }
        }
        return errors;
    }

    private static void predictor(JsonNode p, ClusterConfig config, String path, FieldErrors errors) {
        component(p, config, path, errors);
        List<String> implementations = new java.util.ArrayList<>();
        if (Fields.isSet(p, "model")) {
            implementations.add(path + ".model");
        }
        for (String f : FRAMEWORKS) {
            if (Fields.isSet(p, f)) {
                implementations.add(path + "." + f);
            }
        }
        if (!p.path("containers").isEmpty()) {
            implementations.add(path + ".containers");
        }
        if (implementations.isEmpty()) {
            errors.add(FieldError.neitherSet(path + ".model", path + ".containers"));
        } else if (implementations.size() > 1) {
            errors.add(new FieldError("expected exactly one, got both", implementations, ""));
        }
        JsonNode batcher = Fields.object(p, "batcher", path + ".batcher", errors);
        if (batcher != null) {
            // KServe's batcher: maxBatchSize rows per model run, maxLatency milliseconds a batch waits for more.
            Fields.integer(batcher, "maxBatchSize", path + ".batcher.maxBatchSize", errors).filter(v -> v < 1 || v > 4096)
                    .ifPresent(v -> errors.add(FieldError.outOfBounds(v, 1, 4096, path + ".batcher.maxBatchSize")));
            Fields.integer(batcher, "maxLatency", path + ".batcher.maxLatency", errors).filter(v -> v < 0 || v > 60_000)
                    .ifPresent(v -> errors.add(FieldError.outOfBounds(v, 0, 60_000, path + ".batcher.maxLatency")));
        }
        JsonNode model = Fields.object(p, "model", path + ".model", errors);
        if (model != null) {
            if (Json.text(model.get("modelFormat"), "name") == null) {
                errors.add(FieldError.missingField(path + ".model.modelFormat.name"));
            }
            modelFields(model, path + ".model", errors);
        }
        for (String f : FRAMEWORKS) {
            JsonNode framework = Fields.object(p, f, path + "." + f, errors);
            if (framework != null) {
                modelFields(framework, path + "." + f, errors);
            }
        }
    }

    private static void modelFields(JsonNode model, String path, FieldErrors errors) {
        Fields.string(model, "storageUri", path + ".storageUri", errors).ifPresent(uri -> {
            boolean known = STORAGE_PREFIXES.stream().anyMatch(uri::startsWith) || !uri.contains("://");
            if (!known || uri.isBlank()) {
                errors.add(FieldError.invalidValue(uri, path + ".storageUri",
                        "storageUri must start with one of " + String.join(", ", STORAGE_PREFIXES) + ", or be a local path"));
            }
        });
        Fields.string(model, "runtimeVersion", path + ".runtimeVersion", errors);
        Fields.string(model, "runtime", path + ".runtime", errors);
        // The model spec is a container (env, resources, args); only its image and command come from Tide.
        RevisionSpecValidator.container(model, path, errors);
    }

    /** Standard (raw) mode runs at least one replica and scales on a resource, as KServe's HPA does. */
    private static void standardMode(JsonNode c, boolean standard, String path, FieldErrors errors) {
        if (!standard) {
            return;
        }
        JsonNode min = c.get("minReplicas");
        if (min != null && min.isIntegralNumber() && min.asLong() == 0) {
            errors.add(FieldError.invalidValue(0, path + ".minReplicas", "deploymentMode " + "Standard (RawDeployment) does not "
                    + "scale to zero; use 1 or more, or deploymentMode Serverless"));
        }
        JsonNode metric = c.get("scaleMetric");
        if (metric != null && metric.isTextual() && !metric.asText().equals("cpu") && !metric.asText().equals("memory")) {
            errors.add(FieldError.invalidValue(metric.asText(), path + ".scaleMetric", "deploymentMode Standard (RawDeployment) "
                    + "scales on cpu or memory"));
        }
    }

    /** The fields every component (predictor, transformer) has. */
    private static void component(JsonNode c, ClusterConfig config, String path, FieldErrors errors) {
        Long min = Fields.integer(c, "minReplicas", path + ".minReplicas", errors).orElse(null);
        Long max = Fields.integer(c, "maxReplicas", path + ".maxReplicas", errors).orElse(null);
        if (min != null && min < 0) {
            errors.add(FieldError.outOfBounds(min, 0, Integer.MAX_VALUE, path + ".minReplicas"));
        }
        if (max != null && max < 0) {
            errors.add(FieldError.outOfBounds(max, 0, Integer.MAX_VALUE, path + ".maxReplicas"));
        }
        if (min != null && max != null && max > 0 && min > max) {
            errors.add(new FieldError("minReplicas (" + min + ") cannot be greater than maxReplicas (" + max + ")",
                    List.of(path + ".minReplicas", path + ".maxReplicas"), ""));
        }
        String metric = Fields.string(c, "scaleMetric", path + ".scaleMetric", errors).orElse(null);
        if (metric != null && !SCALE_METRICS.contains(metric)) {
            errors.add(FieldError.invalidValue(metric, path + ".scaleMetric", "expected one of " + String.join(", ", SCALE_METRICS)));
        }
        JsonNode target = c.get("scaleTarget");
        if (target != null && !target.isNull()) {
            if (!target.isNumber() || target.asDouble() <= 0) {
                errors.add(FieldError.invalidValue(target.asText(), path + ".scaleTarget", "expected a number > 0"));
            } else if (("cpu".equals(metric) || "memory".equals(metric)) && target.asDouble() > 100) {
                errors.add(FieldError.outOfBounds(target.asDouble(), 1, 100, path + ".scaleTarget"));
            }
        }
        Fields.integer(c, "containerConcurrency", path + ".containerConcurrency", errors).ifPresent(cc -> {
            long limit = config.defaults().containerConcurrencyMaxLimit();
            if (cc < 0 || cc > limit) {
                errors.add(FieldError.outOfBounds(cc, 0, limit, path + ".containerConcurrency"));
            }
        });
        Fields.integer(c, "timeout", path + ".timeout", errors).ifPresent(t -> {
            long limit = config.defaults().maxRevisionTimeoutSeconds();
            if (t < 0 || t > limit) {
                errors.add(FieldError.outOfBounds(t, 0, limit, path + ".timeout"));
            }
        });
        Fields.integer(c, "canaryTrafficPercent", path + ".canaryTrafficPercent", errors).ifPresent(p -> {
            if (p < 0 || p > 100) {
                errors.add(FieldError.outOfBounds(p, 0, 100, path + ".canaryTrafficPercent"));
            }
        });
        if (!c.path("containers").isEmpty()) {
            RevisionSpecValidator.validate(c, config.defaults(), path, errors);
        }
    }
}
