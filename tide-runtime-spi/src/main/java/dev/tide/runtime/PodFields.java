package dev.tide.runtime;

import java.util.Map;

/**
 * The parts of a revision's pod spec that only a cluster acts on, as written, for runtimes that make pods: where it may
 * be scheduled and what the platform reads from its annotations (ACK's {@code k8s.aliyun.com/eci-use-specs}, ...).
 * Nested fields stay JSON text, so this module needs no JSON library and the runtime renders them as they were written.
 *
 * @param nodeSelector the pod's {@code nodeSelector}
 * @param tolerations  the pod's {@code tolerations} as a JSON array, or {@code null}
 * @param affinity     the pod's {@code affinity} as a JSON object, or {@code null}
 * @param annotations  the revision's annotations the pod carries, as Knative copies them to its pods
 * @param resources    the container's {@code resources} as a JSON object (extended resources such as
 *                     {@code nvidia.com/gpu} and {@code aliyun.com/gpu-mem} included), or {@code null}
 * @param readiness    the container's {@code readinessProbe} as a JSON object, for the kubelet, or {@code null}
 */
public record PodFields(Map<String, String> nodeSelector, String tolerations, String affinity, Map<String, String> annotations,
                        String resources, String readiness) {

    public static final PodFields NONE = new PodFields(Map.of(), null, null, Map.of(), null, null);

    public PodFields {
        nodeSelector = Map.copyOf(nodeSelector);
        annotations = Map.copyOf(annotations);
    }
}
