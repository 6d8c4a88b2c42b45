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
    /** ACK's pod annotations ({@code k8s.aliyun.com/eci-use-specs}, ...): the cluster acts on them where a pod carries them. */
    public static final String POD_PREFIX = "k8s.aliyun.com/";

    private VendorAnnotations() {
    }

    /** The keys in {@code annotations} that Tide stores without acting on, in their order. */
    public static List<String> notActedOn(Map<String, String> annotations) {
        return notActedOn(annotations, false);
    }

    /**
     * As {@link #notActedOn(Map)}; {@code onPods} when the annotations reach Kubernetes pods (a revision's, run on a
     * cluster), where ACK's own pod annotations are the cluster's to act on.
     */
    public static List<String> notActedOn(Map<String, String> annotations, boolean onPods) {
        return annotations.keySet().stream().filter(k -> PREFIXES.stream().anyMatch(k::startsWith))
                .filter(k -> !(onPods && k.startsWith(POD_PREFIX)))
                .filter(k -> !dev.tide.api.serving.v1.AffinityAnnotations.handles(k)).toList();
    }
}
