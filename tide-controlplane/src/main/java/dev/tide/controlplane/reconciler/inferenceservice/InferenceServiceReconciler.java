package dev.tide.controlplane.reconciler.inferenceservice;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.kserve.v1beta1.KServeAnnotations;
import dev.tide.api.naming.Names;
import dev.tide.controlplane.reconciler.Children;
import dev.tide.controlplane.reconciler.ObjectReconciler;
import dev.tide.controlplane.reconciler.StatusUpdates;
import dev.tide.controlplane.registry.ApiException;
import dev.tide.controlplane.registry.Registry;
import java.time.InstantSource;

/**
 * KServe InferenceService: one Knative Service per component ({@code NAME-predictor}, {@code NAME-transformer}), none
 * while {@code serving.kserve.io/stop} is true.
 */
public final class InferenceServiceReconciler extends ObjectReconciler {

    public InferenceServiceReconciler(Registry registry, InstantSource clock) {
        super(ResourceTypes.INFERENCE_SERVICE, registry, clock);
    }

    @Override
    protected void reconcile(ObjectNode isvc) {
        String namespace = Meta.namespace(isvc);
        String name = Meta.name(isvc);
        String domain = registry.config().current().domain();
        if (KServeAnnotations.of(Meta.annotations(isvc)).stopped()) {
            // KServe's stop: the components' Services go, and with them their revisions, replicas and routes.
            deleteIfOwned(namespace, Names.component(name, InferenceServiceResources.PREDICTOR), isvc);
            deleteIfOwned(namespace, Names.component(name, InferenceServiceResources.TRANSFORMER), isvc);
            StatusUpdates.publish(registry, ResourceTypes.INFERENCE_SERVICE, isvc,
                    InferenceServiceResources.stoppedStatus(isvc, domain, clock.instant()));
            return;
        }
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
            StatusUpdates.fail(registry, ResourceTypes.INFERENCE_SERVICE, isvc, "NotOwned", e.getMessage(), clock.instant());
            return;
        }
        StatusUpdates.publish(registry, ResourceTypes.INFERENCE_SERVICE, isvc,
                InferenceServiceResources.status(isvc, predictor, transformer, domain, clock.instant()));
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
