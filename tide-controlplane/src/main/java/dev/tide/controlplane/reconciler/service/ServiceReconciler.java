package dev.tide.controlplane.reconciler.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.reconciler.Children;
import dev.tide.controlplane.reconciler.Reconciler;
import dev.tide.controlplane.registry.Registry;
import java.time.InstantSource;
import java.util.Optional;

/** Knative Service: keeps its Configuration and Route in step with it, and reports their readiness. */
public final class ServiceReconciler implements Reconciler {

    private final Registry registry;
    private final InstantSource clock;

    public ServiceReconciler(Registry registry, InstantSource clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public ResourceType type() {
        return ResourceTypes.SERVICE;
    }

    @Override
    public void reconcile(String namespace, String name) {
        Optional<ObjectNode> found = registry.get(ResourceTypes.SERVICE, namespace, name);
        if (found.isEmpty()) {
            return;
        }
        ObjectNode svc = found.get();
        ObjectNode cfg;
        ObjectNode route;
        try {
            cfg = Children.ensure(registry, ResourceTypes.CONFIGURATION, ServiceResources.configuration(svc), svc);
            route = Children.ensure(registry, ResourceTypes.ROUTE, ServiceResources.route(svc), svc);
        } catch (Children.NotOwned e) {
            ObjectNode status = svc.path("status").isObject() ? (ObjectNode) svc.get("status") : svc.putObject("status");
            Conditions.set(status, Conditions.READY, Conditions.FALSE, "NotOwned", e.getMessage(), "", clock.instant());
            registry.updateStatus(ResourceTypes.SERVICE, svc);
            return;
        }
        ObjectNode status = ServiceResources.status(svc, cfg, route, clock.instant());
        if (!status.equals(svc.get("status"))) {
            svc.set("status", status);
            registry.updateStatus(ResourceTypes.SERVICE, svc);
        }
    }
}
