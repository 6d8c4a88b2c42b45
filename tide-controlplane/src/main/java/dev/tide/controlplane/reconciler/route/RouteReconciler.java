package dev.tide.controlplane.reconciler.route;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.reconciler.ObjectReconciler;
import dev.tide.controlplane.reconciler.StatusUpdates;
import dev.tide.controlplane.registry.Registry;
import java.time.InstantSource;

/** Knative Route: resolves its traffic targets into revisions and publishes them, with its URLs, in status. */
public final class RouteReconciler extends ObjectReconciler {

    private final Ingress ingress;

    public RouteReconciler(Registry registry, InstantSource clock, Ingress ingress) {
        super(ResourceTypes.ROUTE, registry, clock);
        this.ingress = ingress;
    }

    @Override
    protected void reconcile(ObjectNode route) {
        String namespace = Meta.namespace(route);
        String domain = registry.config().current().domain();
        RouteResources.Resolution resolution = RouteResources.resolve(route,
                cfg -> registry.get(ResourceTypes.CONFIGURATION, namespace, cfg),
                rev -> registry.get(ResourceTypes.REVISION, namespace, rev), domain);
        StatusUpdates.publish(registry, ResourceTypes.ROUTE, route, RouteResources.status(route, resolution, domain, ingress, clock.instant()));
    }
}
