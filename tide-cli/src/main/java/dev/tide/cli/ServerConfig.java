package dev.tide.cli;

import java.nio.file.Path;

/**
 * How {@code tide server} runs.
 *
 * @param bind     the address both ports listen on (127.0.0.1 unless told otherwise)
 * @param apiPort  the API (kubectl) port; 0 picks a free one
 * @param httpPort the ingress port for requests to services
 * @param dataDir  where objects are stored
 * @param domain   the default domain of route URLs
 */
record ServerConfig(String bind, int apiPort, int httpPort, Path dataDir, String domain) {

    static final int DEFAULT_API_PORT = 8081;
    static final int DEFAULT_HTTP_PORT = 8080;
}
