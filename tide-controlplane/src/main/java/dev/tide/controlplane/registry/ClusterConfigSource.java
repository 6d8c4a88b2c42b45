package dev.tide.controlplane.registry;

import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.config.AutoscalerConfig;
import dev.tide.api.config.ClusterConfig;
import dev.tide.api.config.DefaultsConfig;
import dev.tide.api.config.DeploymentConfig;
import dev.tide.api.config.ObservabilityConfig;
import dev.tide.store.ObjectKey;
import dev.tide.store.Store;
import java.util.List;

/**
 * The cluster settings in force: the defaults overlaid with the ConfigMaps in {@code knative-serving}, read
 * from the store on each call so a ConfigMap change applies to the very next admission or reconcile.
 */
public final class ClusterConfigSource {

    private static final List<String> NAMES = List.of(AutoscalerConfig.NAME, DefaultsConfig.NAME, DeploymentConfig.NAME,
            ObservabilityConfig.NAME, ClusterConfig.DOMAIN_CONFIG);

    private final Store store;
    private final String defaultDomain;

    /**
     * @param defaultDomain the domain used when {@code config-domain} names none (the server's {@code --domain})
     */
    public ClusterConfigSource(Store store, String defaultDomain) {
        this.store = store;
        this.defaultDomain = defaultDomain;
    }

    public ClusterConfig current() {
        ClusterConfig config = ClusterConfig.defaults(defaultDomain);
        for (String name : NAMES) {
            var cm = store.get(new ObjectKey(ResourceTypes.CONFIG_MAP.groupResource(), ClusterConfig.NAMESPACE, name));
            if (cm.isPresent()) {
                config = config.with(name, Meta.strings(cm.get().get("data")), defaultDomain);
            }
        }
        return config;
    }
}
