package dev.tide.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.naming.Names;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Kubernetes' rules for labels and annotations (apimachinery's {@code ValidateLabels} and
 * {@code ValidateAnnotations}): keys are qualified names, label values at most 63 characters of a restricted set,
 * and all of an object's annotations, keys and values together, at most {@value #ANNOTATIONS_MAX_BYTES} bytes.
 */
final class MetadataRules {

    /** 256 KiB, as {@code TotalAnnotationSizeLimitB}. */
    static final int ANNOTATIONS_MAX_BYTES = 256 * 1024;
    private static final String KEY_RULE = "a key is an optional DNS subdomain prefix and '/', then a name of at most 63 characters: "
            + "letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

    private MetadataRules() {
    }

    /** @param meta an object's (or a template's) {@code metadata}; {@code path} names it */
    static void check(JsonNode meta, String path, FieldErrors errors) {
        for (Map.Entry<String, JsonNode> e : meta.path("labels").properties()) {
            if (!Names.isQualifiedName(e.getKey())) {
                errors.add(FieldError.invalidValue(e.getKey(), path + ".labels", KEY_RULE));
            }
            String v = e.getValue().isNull() ? "" : e.getValue().asText();
            if (!Names.isLabelValue(v)) {
                errors.add(FieldError.invalidValue(v, path + ".labels[" + e.getKey() + "]", "a label value is empty or at most 63 "
                        + "characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit"));
            }
        }
        long bytes = 0;
        for (Map.Entry<String, JsonNode> e : meta.path("annotations").properties()) {
            // As ValidateAnnotations: annotation keys are checked lower-cased (upper case is allowed in them).
            if (!Names.isQualifiedName(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                errors.add(FieldError.invalidValue(e.getKey(), path + ".annotations", KEY_RULE));
            }
            bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + (e.getValue().isNull() ? 0 : e.getValue().asText().getBytes(StandardCharsets.UTF_8).length);
        }
        if (bytes > ANNOTATIONS_MAX_BYTES) {
            errors.add(FieldError.of("may not have more than " + ANNOTATIONS_MAX_BYTES + " bytes (has " + bytes + ")", path + ".annotations"));
        }
    }
}
