package dev.tide.controlplane.reconciler.route;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.reconciler.Reconciler;
import dev.tide.controlplane.registry.Registry;
import java.time.InstantSource;
import java.util.Optional;

/** Knative Route: resolves its traffic targets into revisions and publishes them, with its URLs, in status. */
public final class RouteReconciler implements Reconciler {

    private final Registry registry;
    private final InstantSource clock;

    public RouteReconciler(Registry registry, InstantSource clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public ResourceType type() {
        return ResourceTypes.ROUTE;
    }

    @Override
    public void reconcile(String namespace, String name) {
        Optional<ObjectNode> found = registry.get(ResourceTypes.ROUTE, namespace, name);
        if (found.isEmpty()) {
            return;
        }
        ObjectNode route = found.get();
        String domain = registry.config().current().domain();
        RouteResources.Resolution resolution = RouteResources.resolve(route,
                cfg -> registry.get(ResourceTypes.CONFIGURATION, namespace, cfg),
                rev -> registry.get(ResourceTypes.REVISION, namespace, rev), domain);
        ObjectNode status = RouteResources.status(route, resolution, domain, clock.instant());
        if (!status.equals(route.get("status"))) {
            route.set("status", status);
            registry.updateStatus(ResourceTypes.ROUTE, route);
        }
    }
}
