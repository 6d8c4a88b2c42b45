package dev.tide.cli;

import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a command reaches Tide's API ({@link Connection#resolve}): shared by every command that talks to a server. */
class ConnectionOptions {
    @Option(names = "--server", description = "Tide's API (default: the kubeconfig's server, else http://127.0.0.1:8081)")
    URI server;

    @Option(names = "--kubeconfig", description = "the kubeconfig to read (default: $KUBECONFIG, else ~/.tide/kubeconfig, which tide server writes)")
    Path kubeconfig;

    @Option(names = "--token", description = "a bearer token (default: the kubeconfig's)")
    String token;

    /** Resolved once per command. */
    private Connection resolved;

    Connection connection() {
        if (resolved == null) {
            resolved = Connection.resolve(server, kubeconfig, token, System.getenv("KUBECONFIG"));
        }
        return resolved;
    }

    /** {@code given} (a command's {@code -n}), else the kubeconfig context's namespace, else {@code default}, as kubectl chooses. */
    String namespace(String given) {
        if (given != null) {
            return given;
        }
        String fromContext = connection().namespace();
        return fromContext == null || fromContext.isEmpty() ? "default" : fromContext;
    }

    ApiClient client() {
        return new ApiClient(connection());
    }
}
