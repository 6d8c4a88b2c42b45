package dev.tide.controlplane.reconciler.configuration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.controlplane.registry.Registry;
import dev.tide.controlplane.reconciler.Reconciler;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * Knative Configuration: stamps out one Revision per generation (so a template change makes {@code NAME-00002},
 * and a metadata-only change makes nothing) and reports the latest created and latest ready revisions.
 */
public final class ConfigurationReconciler implements Reconciler {

    private final Registry registry;
    private final InstantSource clock;

    public ConfigurationReconciler(Registry registry, InstantSource clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public ResourceType type() {
        return ResourceTypes.CONFIGURATION;
    }

    @Override
    public void reconcile(String namespace, String name) {
        Optional<ObjectNode> found = registry.get(ResourceTypes.CONFIGURATION, namespace, name);
        if (found.isEmpty()) {
            return;
        }
        ObjectNode cfg = found.get();
        String revisionName = ConfigurationResources.revisionName(cfg);
        Optional<ObjectNode> existing = registry.get(ResourceTypes.REVISION, namespace, revisionName);
        ObjectNode revision;
        if (existing.isEmpty()) {
            revision = registry.create(ResourceTypes.REVISION, namespace, ConfigurationResources.revision(cfg)).object();
        } else {
            revision = existing.get();
            String owner = Meta.ownerName(revision, ResourceTypes.CONFIGURATION.kind());
            String generation = Meta.labels(revision).get(ServingLabels.CONFIGURATION_GENERATION);
            if (!name.equals(owner) || !Long.toString(Meta.generation(cfg)).equals(generation)) {
                // A template name reused for a different template: Knative refuses to reuse revision names.
                ObjectNode status = cfg.path("status").isObject() ? (ObjectNode) cfg.get("status") : cfg.putObject("status");
                status.put("observedGeneration", Meta.generation(cfg));
                Conditions.set(status, Conditions.READY, Conditions.FALSE, "RevisionFailed",
                        "revision \"" + revisionName + "\" already exists for another template: give the new template a new name",
                        "", clock.instant());
                registry.updateStatus(ResourceTypes.CONFIGURATION, cfg);
                return;
            }
        }
        List<ObjectNode> revisions = registry.list(ResourceTypes.REVISION, namespace).items().stream()
                .filter(r -> name.equals(Meta.labels(r).get(ServingLabels.CONFIGURATION))).toList();
        ObjectNode status = ConfigurationResources.status(cfg, revision, revisions, clock.instant());
        if (!status.equals(cfg.get("status"))) {
            cfg.set("status", status);
            registry.updateStatus(ResourceTypes.CONFIGURATION, cfg);
        }
    }
}
