package dev.tide.runtime.kubernetes;

import dev.tide.runtime.ReplicaSpec;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Pod one replica runs as: the revision's container (its resources and readiness probe as written) with Knative's
 * runtime contract ({@code PORT} the container
 * port, default 8080, and {@code K_SERVICE}, {@code K_CONFIGURATION}, {@code K_REVISION}), Knative's labels, and
 * Tide's own, by which its informer finds the pods it made. Pure.
 */
final class PodTemplates {

    /** Knative's default container port. */
    static final int DEFAULT_PORT = 8080;
    static final String CONTAINER = "user-container";
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** Which Tide made the pod, so two Tides on one cluster leave each other's pods alone. */
    static final String INSTANCE = "tide.dev/instance";
    /** The replica's id in Tide: the pod's name. */
    static final String REPLICA = "tide.dev/replica";
    /** The revision's namespace, which is not the pod's under {@code --kube-namespace}. */
    static final String NAMESPACE = "tide.dev/namespace";
    static final String SERVICE = "serving.knative.dev/service";
    static final String CONFIGURATION = "serving.knative.dev/configuration";
    static final String REVISION = "serving.knative.dev/revision";

    private PodTemplates() {
    }

    /**
     * The spec a pod of an earlier Tide was made from, as far as this Tide needs it to keep and stop the replica: its
     * revision, image, port and grace period from the pod itself. {@code null} for a pod not made by {@link #render}.
     */
    static ReplicaSpec specOf(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        if (!labels.containsKey(REVISION) || pod.getSpec() == null || pod.getSpec().getContainers().isEmpty()) {
            return null;
        }
        var c = pod.getSpec().getContainers().get(0);
        Map<String, String> env = new TreeMap<>();
        c.getEnv().forEach(e -> {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            }
        });
        long grace = pod.getSpec().getTerminationGracePeriodSeconds() == null ? 30 : pod.getSpec().getTerminationGracePeriodSeconds();
        int port = c.getPorts().isEmpty() || c.getPorts().get(0).getContainerPort() == null ? 0 : c.getPorts().get(0).getContainerPort();
        String revision = labels.get(REVISION);
        return new ReplicaSpec(labels.getOrDefault(NAMESPACE, pod.getMetadata().getNamespace()), labels.getOrDefault(SERVICE, revision),
                labels.getOrDefault(CONFIGURATION, revision), revision, c.getCommand(), c.getArgs(), env, c.getWorkingDir(),
                dev.tide.runtime.ProbeSpec.defaultReadiness(), null, java.time.Duration.ofSeconds(grace),
                java.time.Duration.ofSeconds(grace), null, false, dev.tide.runtime.Resources.NONE, List.of(),
                c.getImage() == null ? "" : c.getImage(), port, new dev.tide.runtime.PodFields(Map.of(), null, null, Map.of(), null,
                        c.getReadinessProbe() == null ? null : Serialization.asJson(c.getReadinessProbe())));
    }

    static int port(ReplicaSpec spec) {
        return spec.containerPort() > 0 ? spec.containerPort() : DEFAULT_PORT;
    }

    /**
     * Worked example: revision {@code hello-00001} of Service {@code hello}, replica {@code hello-00001-deployment-7k2x9},
     * image {@code ghcr.io/acme/hello}, no port: a Pod of that name with labels {@code serving.knative.dev/service: hello},
     * {@code .../revision: hello-00001}, and a container {@code user-container} with {@code PORT=8080}.
     */
    static Pod render(ReplicaSpec spec, String name, String namespace, String instance) {
        int port = port(spec);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(SERVICE, spec.service());
        labels.put(CONFIGURATION, spec.configuration());
        labels.put(REVISION, spec.revision());
        labels.put(NAMESPACE, spec.namespace());
        labels.put(MANAGED_BY, "tide");
        labels.put(INSTANCE, instance);
        labels.put(REPLICA, name);
        Map<String, String> env = new TreeMap<>(spec.env());
        env.put("PORT", Integer.toString(port));
        env.put("K_SERVICE", spec.service());
        env.put("K_CONFIGURATION", spec.configuration());
        env.put("K_REVISION", spec.revision());
        List<EnvVar> vars = new ArrayList<>();
        env.forEach((k, v) -> vars.add(new EnvVar(k, v, null)));
        ContainerBuilder c = new ContainerBuilder().withName(CONTAINER).withImage(spec.image()).withEnv(vars)
                .addNewPort().withName("user-port").withContainerPort(port).withProtocol("TCP").endPort();
        if (!spec.command().isEmpty()) {
            c.withCommand(spec.command());
        }
        if (!spec.args().isEmpty()) {
            c.withArgs(spec.args());
        }
        if (spec.workingDir() != null) {
            c.withWorkingDir(spec.workingDir());
        }
        if (spec.pod().resources() != null) {
            c.withResources(Serialization.unmarshal(spec.pod().resources(), ResourceRequirements.class));
        }
        if (spec.pod().readiness() != null) {
            c.withReadinessProbe(Serialization.unmarshal(spec.pod().readiness(), Probe.class));
        }
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                .withAnnotations(spec.pod().annotations()).endMetadata()
                .withNewSpec().withRestartPolicy("Always").withContainers(c.build())
                .withTerminationGracePeriodSeconds(Math.max(1, spec.terminationGrace().toSeconds()))
                .withNodeSelector(spec.pod().nodeSelector())
                .endSpec().build();
        if (spec.pod().tolerations() != null) {
            pod.getSpec().setTolerations(List.of(Serialization.unmarshal(spec.pod().tolerations(), Toleration[].class)));
        }
        if (spec.pod().affinity() != null) {
            pod.getSpec().setAffinity(Serialization.unmarshal(spec.pod().affinity(), Affinity.class));
        }
        return pod;
    }
}
