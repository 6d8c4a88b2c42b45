package dev.tide.api;

import java.util.List;
import java.util.Map;

/**
 * Annotations from other Knative distributions that Tide stores but does not act on yet. They are kept (so a
 * manifest round-trips unchanged) and reported, in a warning at apply time and a status condition, so nobody
 * believes they took effect.
 */
public final class VendorAnnotations {

    /** Prefixes of annotations Tide accepts without acting on them. */
    public static final List<String> PREFIXES = List.of("serving.knative.dev.alibabacloud/", "k8s.aliyun.com/");

    private VendorAnnotations() {
    }

    /** The keys in {@code annotations} that Tide stores without acting on, in their order. */
    public static List<String> notActedOn(Map<String, String> annotations) {
        return annotations.keySet().stream().filter(k -> PREFIXES.stream().anyMatch(k::startsWith))
                .filter(k -> !dev.tide.api.serving.v1.AffinityAnnotations.handles(k)).toList();
    }
}
