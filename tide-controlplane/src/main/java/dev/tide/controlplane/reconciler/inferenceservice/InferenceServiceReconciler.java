package dev.tide.controlplane.reconciler.inferenceservice;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.api.naming.Names;
import dev.tide.controlplane.reconciler.Children;
import dev.tide.controlplane.reconciler.Reconciler;
import dev.tide.controlplane.registry.ApiException;
import dev.tide.controlplane.registry.Registry;
import java.time.InstantSource;
import java.util.Optional;

/** KServe InferenceService: one Knative Service per component ({@code NAME-predictor}, {@code NAME-transformer}). */
public final class InferenceServiceReconciler implements Reconciler {

    private final Registry registry;
    private final InstantSource clock;

    public InferenceServiceReconciler(Registry registry, InstantSource clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public ResourceType type() {
        return ResourceTypes.INFERENCE_SERVICE;
    }

    @Override
    public void reconcile(String namespace, String name) {
        Optional<ObjectNode> found = registry.get(ResourceTypes.INFERENCE_SERVICE, namespace, name);
        if (found.isEmpty()) {
            return;
        }
        ObjectNode isvc = found.get();
        String domain = registry.config().current().domain();
        ObjectNode predictor;
        ObjectNode transformer = null;
        try {
            predictor = Children.ensure(registry, ResourceTypes.SERVICE,
                    InferenceServiceResources.service(isvc, InferenceServiceResources.PREDICTOR, domain), isvc);
            if (isvc.path("spec").hasNonNull(InferenceServiceResources.TRANSFORMER)) {
                transformer = Children.ensure(registry, ResourceTypes.SERVICE,
                        InferenceServiceResources.service(isvc, InferenceServiceResources.TRANSFORMER, domain), isvc);
            } else {
                deleteIfOwned(namespace, Names.component(name, InferenceServiceResources.TRANSFORMER), isvc);
            }
        } catch (Children.NotOwned e) {
            ObjectNode status = isvc.path("status").isObject() ? (ObjectNode) isvc.get("status") : isvc.putObject("status");
            Conditions.set(status, Conditions.READY, Conditions.FALSE, "NotOwned", e.getMessage(), "", clock.instant());
            registry.updateStatus(ResourceTypes.INFERENCE_SERVICE, isvc);
            return;
        }
        ObjectNode status = InferenceServiceResources.status(isvc, predictor, transformer, domain, clock.instant());
        if (!status.equals(isvc.get("status"))) {
            isvc.set("status", status);
            registry.updateStatus(ResourceTypes.INFERENCE_SERVICE, isvc);
        }
    }

    private void deleteIfOwned(String namespace, String name, ObjectNode isvc) {
        registry.get(ResourceTypes.SERVICE, namespace, name)
                .filter(s -> Meta.uid(isvc).equals(s.path("metadata").path("ownerReferences").path(0).path("uid").asText()))
                .ifPresent(s -> {
                    try {
                        registry.delete(ResourceTypes.SERVICE, namespace, name);
                    } catch (ApiException gone) {
                        // Already deleted.
                    }
                });
    }
}
