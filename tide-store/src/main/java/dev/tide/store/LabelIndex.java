package dev.tide.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The stored objects' keys by the value of a few labels (those the launcher names, such as the configuration a
 * revision belongs to), so that "the revisions of configuration X" is a lookup, not a scan of every revision.
 * Worked example: with {@code serving.knative.dev/configuration} indexed, 1,000 configurations of one revision each
 * make 1,000 lookups of one key, where scanning made 1,000,000 label reads.
 *
 * <p>Not thread-safe: the store calls it under its lock.
 */
final class LabelIndex {

    private final Set<String> labels;
    private final Map<String, Map<String, NavigableSet<ObjectKey>>> index = new HashMap<>();

    LabelIndex(Set<String> labels) {
        this.labels = Set.copyOf(labels);
        for (String l : this.labels) {
            index.put(l, new HashMap<>());
        }
    }

    boolean covers(String label) {
        return labels.contains(label);
    }

    void add(ObjectKey key, JsonNode object) {
        JsonNode present = object.path("metadata").path("labels");
        for (String l : labels) {
            JsonNode v = present.get(l);
            if (v != null && v.isTextual()) {
                index.get(l).computeIfAbsent(v.asText(), x -> new TreeSet<>()).add(key);
            }
        }
    }

    void remove(ObjectKey key, JsonNode object) {
        if (object == null) {
            return;
        }
        JsonNode present = object.path("metadata").path("labels");
        for (String l : labels) {
            JsonNode v = present.get(l);
            if (v != null && v.isTextual()) {
                Map<String, NavigableSet<ObjectKey>> byValue = index.get(l);
                NavigableSet<ObjectKey> keys = byValue.get(v.asText());
                if (keys != null && keys.remove(key) && keys.isEmpty()) {
                    byValue.remove(v.asText());
                }
            }
        }
    }

    /** The keys of objects whose {@code label} is {@code value}, in key order; the label must be covered. */
    NavigableSet<ObjectKey> keys(String label, String value) {
        NavigableSet<ObjectKey> keys = index.get(label).get(value);
        return keys == null ? Collections.emptyNavigableSet() : keys;
    }
}
