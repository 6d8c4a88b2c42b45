package dev.tide.controlplane.reconciler.configuration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.controlplane.registry.Registry;
import dev.tide.controlplane.reconciler.ObjectReconciler;
import dev.tide.controlplane.reconciler.StatusUpdates;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * Knative Configuration: stamps out one Revision per generation (so a template change makes {@code NAME-00002},
 * and a metadata-only change makes nothing) and reports the latest created and latest ready revisions.
 */
public final class ConfigurationReconciler extends ObjectReconciler {

    public ConfigurationReconciler(Registry registry, InstantSource clock) {
        super(ResourceTypes.CONFIGURATION, registry, clock);
    }

    @Override
    protected void reconcile(ObjectNode cfg) {
        String namespace = Meta.namespace(cfg);
        String name = Meta.name(cfg);
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
                StatusUpdates.fail(registry, ResourceTypes.CONFIGURATION, cfg, "RevisionFailed", "revision \"" + revisionName
                        + "\" already exists for another template: give the new template a new name", clock.instant());
                return;
            }
        }
        List<ObjectNode> revisions = registry.listByLabel(ResourceTypes.REVISION, namespace, ServingLabels.CONFIGURATION, name).items();
        StatusUpdates.publish(registry, ResourceTypes.CONFIGURATION, cfg,
                ConfigurationResources.status(cfg, revision, revisions, clock.instant()));
    }
}
