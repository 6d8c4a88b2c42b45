package dev.tide.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.runtime.PodFields;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.Resources;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodTemplatesTest {

    @Test
    void whereTheClusterMayPlaceThePodAndThePlatformsAnnotationsAreRenderedAsWritten() {
        PodFields fields = new PodFields(Map.of("type", "virtual-kubelet"),
                "[{\"key\":\"virtual-kubelet.io/provider\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]",
                "{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":[{\"matchExpressions\":"
                        + "[{\"key\":\"zone\",\"operator\":\"In\",\"values\":[\"a\"]}]}]}}}",
                Map.of("k8s.aliyun.com/eci-use-specs", "ecs.gn6i-c4g1.xlarge"),
                "{\"limits\":{\"aliyun.com/gpu-mem\":\"3\",\"nvidia.com/gpu\":\"1\"},\"requests\":{\"memory\":\"1Gi\"}}",
                "{\"httpGet\":{\"path\":\"/healthz\",\"port\":8080},\"periodSeconds\":2}");
        ReplicaSpec spec = new ReplicaSpec("shop", "web", "web", "web-00001", List.of(), List.of(), Map.of(), null,
                ProbeSpec.defaultReadiness(), null, Duration.ofSeconds(30), Duration.ofSeconds(30), null, false, Resources.NONE,
                List.of(), "ghcr.io/acme/web:1", 0, fields);
        Pod pod = PodTemplates.render(spec, "web-00001-deployment-abcde-fghij", "shop", "tide-1");
        assertThat(pod.getSpec().getNodeSelector()).containsExactly(Map.entry("type", "virtual-kubelet"));
        assertThat(pod.getSpec().getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("virtual-kubelet.io/provider");
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        assertThat(pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().get(0).getMatchExpressions().get(0).getValues()).containsExactly("a");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("k8s.aliyun.com/eci-use-specs", "ecs.gn6i-c4g1.xlarge");
        assertThat(pod.getMetadata().getLabels()).containsEntry("tide.dev/namespace", "shop");
        var c = pod.getSpec().getContainers().get(0);
        assertThat(c.getResources().getLimits()).as("extended resources as written, for the cluster's device plugins")
                .containsOnlyKeys("aliyun.com/gpu-mem", "nvidia.com/gpu");
        assertThat(c.getResources().getRequests().get("memory").toString()).isEqualTo("1Gi");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getReadinessProbe().getPeriodSeconds()).isEqualTo(2);
        // And back: what an adopting Tide reads of it.
        ReplicaSpec read = PodTemplates.specOf(pod);
        assertThat(read.revision()).isEqualTo("web-00001");
        assertThat(read.image()).isEqualTo("ghcr.io/acme/web:1");
        assertThat(read.terminationGrace()).isEqualTo(Duration.ofSeconds(30));
    }
}
