package dev.tide.cli;

import dev.tide.cli.security.Kubeconfig;
import dev.tide.cli.security.TlsMaterial;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How the CLI reaches a Tide: the server, the bearer token, the authority to trust. From the kubeconfig Tide wrote
 * ({@code --kubeconfig}, else {@code $KUBECONFIG}, else {@code ~/.tide/kubeconfig}), unless {@code --server} names
 * another server: a kubeconfig's token is only ever sent to the server it was written for.
 *
 * @param token     or {@code null}
 * @param tls       or {@code null} for the JDK's default trust
 * @param namespace the kubeconfig context's namespace, or {@code null}
 */
record Connection(URI server, String token, SSLContext tls, String namespace) {

    Connection(URI server, String token, SSLContext tls) {
        this(server, token, tls, null);
    }

    static final URI DEFAULT_SERVER = URI.create("http://127.0.0.1:8081");

    /**
     * @param server     {@code --server}, or {@code null}
     * @param kubeconfig {@code --kubeconfig}, or {@code null}
     * @param token      {@code --token}, or {@code null}
     * @param envKubeconfig {@code $KUBECONFIG}, or {@code null}
     */
    static Connection resolve(URI server, Path kubeconfig, String token, String envKubeconfig) {
        Path file = kubeconfig != null ? kubeconfig
                : envKubeconfig != null && !envKubeconfig.isBlank() ? Path.of(envKubeconfig.split(java.io.File.pathSeparator)[0])
                : Path.of(System.getProperty("user.home"), ".tide", "kubeconfig");
        Optional<Kubeconfig> kc;
        try {
            kc = Kubeconfig.read(file);
        } catch (IllegalArgumentException e) {
            if (kubeconfig != null) {
                throw e;
            }
            kc = Optional.empty();
        }
        if (kc.isPresent() && (server == null || sameServer(server, kc.get().server()))) {
            Kubeconfig k = kc.get();
            return new Connection(k.server(), token != null ? token : k.token(), k.caPem() != null ? TlsMaterial.trusting(k.caPem()) : null,
                    k.namespace());
        }
        if (kubeconfig != null && kc.isEmpty()) {
            throw new IllegalArgumentException("kubeconfig " + kubeconfig + " not found");
        }
        return new Connection(server != null ? server : DEFAULT_SERVER, token, null);
    }

    private static boolean sameServer(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && port(a) == port(b)
                && (a.getHost().equalsIgnoreCase(b.getHost()) || loopback(a.getHost()) && loopback(b.getHost()));
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static boolean loopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    HttpClient httpClient() {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        return b.build();
    }

    /** A request to {@code path} on the server, with the token when there is one. */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }
}
