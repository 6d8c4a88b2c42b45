package dev.tide.controlplane.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import java.util.List;
import java.util.function.Predicate;

/**
 * A {@code fieldSelector} as Kubernetes takes it: comma-separated {@code field=value}, {@code field==value} or
 * {@code field!=value} terms, all of which must hold, over the fields each kind supports: {@code metadata.name} and
 * {@code metadata.namespace} for every kind, and for Events the ones {@code kubectl describe} and {@code kubectl get
 * events --field-selector} use ({@code involvedObject.kind}, {@code involvedObject.name}, {@code involvedObject.uid},
 * {@code reason}, {@code type}, ...), for Pods {@code status.phase}, {@code spec.nodeName} and {@code status.podIP}. Worked example: {@code involvedObject.kind=Revision,type!=Normal} selects a
 * revision's warnings. Any other field is refused as Kubernetes refuses it: {@code field label not supported: X}.
 */
final class FieldSelector {

    private static final List<String> COMMON = List.of("metadata.name", "metadata.namespace");
    private static final List<String> EVENT = List.of("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
            "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
            "reason", "reportingComponent", "source", "type");
    private static final List<String> POD = List.of("spec.nodeName", "spec.restartPolicy", "status.phase", "status.podIP");

    private FieldSelector() {
    }

    static Predicate<JsonNode> parse(ResourceType type, String selector) {
        Predicate<JsonNode> p = o -> true;
        if (selector == null || selector.isBlank()) {
            return p;
        }
        for (String term : selector.split(",")) {
            boolean negated = term.contains("!=");
            String[] kv = negated ? term.split("!=", 2) : term.split("==?", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException("invalid field selector: " + term);
            }
            String field = kv[0].trim();
            String value = kv[1].trim();
            if (!COMMON.contains(field) && !(type == ResourceTypes.EVENT && EVENT.contains(field))
                    && !(type == ResourceTypes.POD && POD.contains(field))) {
                throw new IllegalArgumentException("field label not supported: " + field);
            }
            Predicate<JsonNode> equal = o -> value.equals(valueOf(o, field));
            p = p.and(negated ? equal.negate() : equal);
        }
        return p;
    }

    /** A field's text; "source" is the event source's component, as Kubernetes maps it; absent is empty. */
    private static String valueOf(JsonNode o, String field) {
        JsonNode n = o;
        for (String part : (field.equals("source") ? "source.component" : field).split("\\.")) {
            n = n.path(part);
        }
        return n.isValueNode() ? n.asText() : "";
    }
}
