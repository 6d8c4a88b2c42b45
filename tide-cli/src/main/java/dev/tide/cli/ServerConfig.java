package dev.tide.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * How {@code tide server} runs.
 *
 * @param bind            the address both ports listen on (127.0.0.1 unless told otherwise)
 * @param apiPort         the API (kubectl) port; 0 picks a free one
 * @param httpPort        the ingress port for requests to services
 * @param dataDir         where objects are stored; the model cache is its {@code models} directory
 * @param domain          the default domain of route URLs
 * @param volumes         named local volumes that {@code pvc://NAME/path} storage URIs read
 * @param cacheQuotaBytes the model cache's quota (evicts down to 70% once above 95%)
 */
record ServerConfig(String bind, int apiPort, int httpPort, Path dataDir, String domain, Map<String, Path> volumes,
                    long cacheQuotaBytes) {

    static final int DEFAULT_API_PORT = 8081;
    static final int DEFAULT_HTTP_PORT = 8080;
    static final long DEFAULT_CACHE_QUOTA = dev.tide.modelserver.storage.ModelCache.Limits.DEFAULT.quotaBytes();

    ServerConfig(String bind, int apiPort, int httpPort, Path dataDir, String domain) {
        this(bind, apiPort, httpPort, dataDir, domain, Map.of(), DEFAULT_CACHE_QUOTA);
    }

    ServerConfig {
        volumes = Map.copyOf(volumes);
    }

    Path modelCache() {
        return dataDir.resolve("models");
    }
}
