package dev.tide.controlplane.reconciler.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.reconciler.Children;
import dev.tide.controlplane.reconciler.ObjectReconciler;
import dev.tide.controlplane.reconciler.StatusUpdates;
import dev.tide.controlplane.registry.Registry;
import java.time.InstantSource;

/** Knative Service: keeps its Configuration and Route in step with it, and reports their readiness. */
public final class ServiceReconciler extends ObjectReconciler {

    public ServiceReconciler(Registry registry, InstantSource clock) {
        super(ResourceTypes.SERVICE, registry, clock);
    }

    @Override
    protected void reconcile(ObjectNode svc) {
        ObjectNode cfg;
        ObjectNode route;
        try {
            cfg = Children.ensure(registry, ResourceTypes.CONFIGURATION, ServiceResources.configuration(svc), svc);
            route = Children.ensure(registry, ResourceTypes.ROUTE, ServiceResources.route(svc), svc);
        } catch (Children.NotOwned e) {
            StatusUpdates.fail(registry, ResourceTypes.SERVICE, svc, "NotOwned", e.getMessage(), clock.instant());
            return;
        }
        StatusUpdates.publish(registry, ResourceTypes.SERVICE, svc, ServiceResources.status(svc, cfg, route, clock.instant()));
    }
}
