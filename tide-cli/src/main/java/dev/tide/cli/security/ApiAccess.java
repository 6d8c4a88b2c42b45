package dev.tide.cli.security;

import dev.tide.store.file.PrivateFiles;

import dev.tide.controlplane.apiserver.security.ApiGuard;
import dev.tide.controlplane.apiserver.security.Identity;
import dev.tide.controlplane.apiserver.security.Role;
import dev.tide.controlplane.apiserver.security.Tokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Who may use a Tide's API and how it is served, decided once at start from the server's flags:
 *
 * <ul>
 *   <li>An admin token, generated on first start into {@code DATA/admin-token} (0600) and kept across restarts, and
 *       the users of {@code --token-auth-file}, if any.</li>
 *   <li>Bound to loopback: plain HTTP, and requests without a token are let in from this machine (guarded against
 *       browsers, see {@link ApiGuard}). Bound to anything else, or with {@code --no-anonymous-auth}: TLS always (the
 *       operator's files, or a self-signed pair pinned in the kubeconfig), since kubectl sends tokens only over TLS,
 *       and a token for everything but health and version.</li>
 *   <li>{@code DATA/kubeconfig} (0600), rewritten at every start with the current address, for kubectl and the
 *       {@code tide} CLI.</li>
 * </ul>
 *
 * @param guard      the API's gate
 * @param tls        or {@code null} for plain HTTP
 * @param url        the API's URL as clients on this machine reach it
 * @param kubeconfig where the admin's kubeconfig is written
 */
public record ApiAccess(ApiGuard guard, SSLContext tls, URI url, Path kubeconfig, String adminToken, String caPem,
                        DashboardSessions sessions) {

    /**
     * The flags that decide it.
     *
     * @param anonymous {@code --anonymous-auth}: {@code null} lets requests without a token in on a loopback bind only
     */
    public record Settings(String bind, Path dataDir, Path tokenAuthFile, Path tlsCertFile, Path tlsKeyFile, List<String> apiHosts,
                           Boolean anonymous) {
        public Settings {
            apiHosts = List.copyOf(apiHosts);
        }
    }

    /** @param ticker times the dashboard's sessions */
    public static ApiAccess prepare(Settings s, dev.tide.common.time.Ticker ticker) {
        boolean loopback = isLoopback(s.bind());
        if (!loopback && Boolean.TRUE.equals(s.anonymous())) {
            throw new IllegalArgumentException("--anonymous-auth is only allowed on a loopback bind: an API on " + s.bind()
                    + " would let anyone who reaches it run programs");
        }
        if ((s.tlsCertFile() == null) != (s.tlsKeyFile() == null)) {
            throw new IllegalArgumentException("--tls-cert-file and --tls-private-key-file go together");
        }
        try {
            PrivateFiles.directory(s.dataDir());
            String admin = adminToken(s.dataDir().resolve("admin-token"));
            Tokens tokens = s.tokenAuthFile() == null ? Tokens.none()
                    : Tokens.parseCsv(Files.readString(s.tokenAuthFile()), s.tokenAuthFile().toString());
            tokens = tokens.with(admin, new Identity("tide-admin", List.of("system:masters"), Role.ADMIN, null));
            boolean anonymous = loopback && !Boolean.FALSE.equals(s.anonymous());
            // Wherever a token is needed, TLS carries it: kubectl (client-go) never sends a bearer token over plain HTTP.
            TlsMaterial tls = null;
            if (s.tlsCertFile() != null) {
                tls = TlsMaterial.fromPem(s.tlsCertFile(), s.tlsKeyFile());
            } else if (!anonymous) {
                tls = TlsMaterial.selfSigned(s.dataDir(), TlsMaterial.namesFor(s.bind(), s.apiHosts()));
            }
            DashboardSessions sessions = new DashboardSessions(ticker);
            ApiGuard guard = new ApiGuard(anonymous, Set.copyOf(s.apiHosts()), tokens, tls != null, sessions);
            return new ApiAccess(guard, tls == null ? null : tls.context(), null, s.dataDir().resolve("kubeconfig"), admin,
                    tls == null ? null : tls.certificatePem(), sessions);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the API's credentials in " + s.dataDir() + ": " + e.getMessage(), e);
        }
    }

    /** This access with the API's URL now that its port is known, and the kubeconfig written for it. */
    public ApiAccess listening(String bind, int port) {
        String host = isLoopback(bind) || anyLocal(bind) ? "127.0.0.1" : bind;
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        URI u = URI.create((tls != null ? "https://" : "http://") + host + ":" + port);
        try {
            PrivateFiles.write(kubeconfig, new Kubeconfig(u, adminToken, caPem, "default").toYaml());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + kubeconfig + ": " + e.getMessage(), e);
        }
        return new ApiAccess(guard, tls, u, kubeconfig, adminToken, caPem, sessions);
    }

    private static String adminToken(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            String t = Files.readString(file).strip();
            if (!t.isEmpty()) {
                PrivateFiles.restrict(file);
                return t;
            }
        }
        String t = Tokens.generate();
        PrivateFiles.write(file, t + "\n");
        return t;
    }

    public static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--bind " + bind + ": not an address of this machine (" + e.getMessage() + ")", e);
        }
    }

    private static boolean anyLocal(String bind) {
        try {
            return InetAddress.getByName(bind).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
