package dev.tide.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.naming.Names;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Kubernetes' rules for labels and annotations (apimachinery's {@code ValidateLabels} and
 * {@code ValidateAnnotations}): keys are qualified names, label values at most 63 characters of a restricted set,
 * and all of an object's annotations, keys and values together, at most {@value #ANNOTATIONS_MAX_BYTES} bytes.
 */
final class MetadataRules {

    /** 256 KiB, as {@code TotalAnnotationSizeLimitB}. */
    static final int ANNOTATIONS_MAX_BYTES = 256 * 1024;
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final String KEY_RULE = "a key is an optional DNS subdomain prefix and '/', then a name of at most 63 characters: "
            + "letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

    private MetadataRules() {
    }

    /** @param meta an object's (or a template's) {@code metadata}; {@code path} names it */
    static void check(JsonNode meta, String path, FieldErrors errors) {
        for (Map.Entry<String, JsonNode> e : meta.path("labels").properties()) {
            if (!qualifiedName(e.getKey())) {
                errors.add(FieldError.invalidValue(e.getKey(), path + ".labels", KEY_RULE));
            }
            String v = e.getValue().isNull() ? "" : e.getValue().asText();
            if (v.length() > 63 || !v.isEmpty() && !NAME.matcher(v).matches()) {
                errors.add(FieldError.invalidValue(v, path + ".labels[" + e.getKey() + "]", "a label value is empty or at most 63 "
                        + "characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit"));
            }
        }
        long bytes = 0;
        for (Map.Entry<String, JsonNode> e : meta.path("annotations").properties()) {
            if (!qualifiedName(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                errors.add(FieldError.invalidValue(e.getKey(), path + ".annotations", KEY_RULE));
            }
            bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + (e.getValue().isNull() ? 0 : e.getValue().asText().getBytes(StandardCharsets.UTF_8).length);
        }
        if (bytes > ANNOTATIONS_MAX_BYTES) {
            errors.add(FieldError.of("may not have more than " + ANNOTATIONS_MAX_BYTES + " bytes (has " + bytes + ")", path + ".annotations"));
        }
    }

    /** {@code app}, {@code serving.knative.dev/service}, {@code autoscaling.knative.dev/min-scale}. */
    static boolean qualifiedName(String key) {
        int slash = key.lastIndexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !Names.isDns1123Subdomain(prefix)) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && NAME.matcher(name).matches();
    }
}
