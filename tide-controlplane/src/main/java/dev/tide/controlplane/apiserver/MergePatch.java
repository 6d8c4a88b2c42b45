package dev.tide.controlplane.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386), the patch kubectl's client-side apply sends: objects merge recursively, a
 * {@code null} deletes a key, anything else (arrays included) replaces.
 */
final class MergePatch {

    private MergePatch() {
    }

    /** {@code patch} without strategic-merge-patch directives (keys starting with {@code $}), recursively. */
    static ObjectNode withoutDirectives(ObjectNode patch) {
        patch.properties().removeIf(e -> e.getKey().startsWith("$"));
        patch.properties().forEach(e -> {
            if (e.getValue() instanceof ObjectNode o) {
                withoutDirectives(o);
            }
        });
        return patch;
    }

    /** Returns {@code target} patched; {@code target} itself is changed when both are objects. */
    static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!(patch instanceof ObjectNode p)) {
            return patch;
        }
        ObjectNode t = target instanceof ObjectNode o ? o : p.objectNode();
        for (Map.Entry<String, JsonNode> e : p.properties()) {
            if (e.getValue().isNull()) {
                t.remove(e.getKey());
            } else {
                JsonNode existing = t.get(e.getKey());
                t.set(e.getKey(), apply(existing, e.getValue()));
            }
        }
        return t;
    }
}
