package dev.tide.modelserver.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where a model may come from. A storageUri is written by whoever can create an InferenceService, and the model
 * server reads it with Tide's rights, so:
 *
 * <ul>
 *   <li>{@code file://} and plain paths only under the operator's roots ({@code --model-root}), resolved with their
 *       symlinks, and no symlink inside the model may lead out of them ({@code /models/x/config.json ->
 *       /etc/shadow} is refused);</li>
 *   <li>{@code http(s)} and {@code s3} hosts: never Tide's own ports on this machine (the API would hand out Secrets);
 *       never loopback, link-local (cloud metadata at 169.254.169.254) or unspecified addresses unless the operator
 *       allows private hosts. Every address the name resolves to is checked, and every redirect hop again.</li>
 * </ul>
 *
 * Tide's control plane checks each model before starting its replica with {@link Resolver#LITERALS_ONLY}, so a
 * refusal it can make without the network is the revision's condition; the model server checks again with DNS
 * before each request, which catches names.
 *
 * A name that resolves to a public address when checked and to a private one when fetched (DNS rebinding) is not
 * caught between the two: the check runs just before each request, which narrows the window to one resolution.
 *
 * @param roots             the directories local models may be read from; empty means anywhere (a model server
 *                          started by hand, outside Tide)
 * @param allowPrivateHosts whether loopback and link-local hosts may serve models
 * @param tidePorts         Tide's own ports (API, ingress), never fetched from on this machine
 */
public record StoragePolicy(List<Path> roots, boolean allowPrivateHosts, Set<Integer> tidePorts) {

    /** No restriction: the model server run by hand. */
    public static final StoragePolicy UNRESTRICTED = new StoragePolicy(List.of(), true, Set.of());

    /** How host names resolve; {@link InetAddress#getAllByName} where the fetch happens. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;

        /**
         * Addresses known without asking DNS: IP literals ({@code 127.0.0.1}, {@code ::1}, {@code 169.254.169.254}) and
         * the names that are loopback by definition ({@code localhost}, {@code *.localhost}); any other name resolves
         * to nothing here and is judged where it is fetched. For threads that must never block on the network (Tide's
         * scaling loop shares its thread with request deadlines).
         */
        Resolver LITERALS_ONLY = host -> {
            String h = host.toLowerCase(java.util.Locale.ROOT);
            if (h.equals("localhost") || h.endsWith(".localhost")) {
                return new InetAddress[] {InetAddress.getLoopbackAddress()};
            }
            if (h.contains(":") || h.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                // A literal: getByName parses it and asks no resolver.
                return new InetAddress[] {InetAddress.getByName(h)};
            }
            return new InetAddress[0];
        };
    }

    public StoragePolicy {
        roots = List.copyOf(roots);
        tidePorts = Set.copyOf(tidePorts);
    }

    /**
     * @param s3 the S3 endpoint an {@code s3://} URI is fetched from
     * @return why the model may not be read, naming the rule, or empty when it may
     */
    public Optional<String> refusal(StorageUri uri, S3Fetcher.Settings s3, Resolver dns) {
        return switch (uri) {
            case StorageUri.Local local -> localRefusal(uri.raw(), local.path());
            case StorageUri.Http http -> hostRefusal(uri.raw(), http.uri(), dns);
            case StorageUri.S3 ignored -> hostRefusal(uri.raw(), URI.create((s3.https() ? "https://" : "http://") + s3.endpoint()), dns);
        };
    }

    /** A redirect's target, checked as its own URI would be. */
    public Optional<String> redirectRefusal(String raw, URI target, Resolver dns) {
        return hostRefusal(raw + " (redirected to " + target + ")", target, dns);
    }

    private Optional<String> localRefusal(String raw, Path path) {
        if (roots.isEmpty() || !Files.exists(path)) {
            // A missing path is reported as missing where it is opened.
            return Optional.empty();
        }
        try {
            List<Path> realRoots = new ArrayList<>();
            for (Path r : roots) {
                if (Files.exists(r)) {
                    realRoots.add(r.toRealPath());
                }
            }
            Path real = path.toRealPath();
            if (realRoots.stream().noneMatch(real::startsWith)) {
                return Optional.of("storageUri " + raw + ": " + real + " is outside the model roots " + roots
                        + "; allow a directory with tide server --model-root DIR");
            }
            if (Files.isDirectory(real)) {
                try (Stream<Path> files = Files.walk(real)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        if (Files.isSymbolicLink(p)) {
                            Path target = p.toRealPath();
                            if (realRoots.stream().noneMatch(target::startsWith)) {
                                return Optional.of("storageUri " + raw + ": " + real.relativize(p) + " is a symlink to " + target
                                        + ", outside the model roots " + roots);
                            }
                        }
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("storageUri " + raw + ": cannot resolve " + path + " (" + e.getMessage() + ")");
        } catch (UncheckedIOException e) {
            return Optional.of("storageUri " + raw + ": cannot read " + path + " (" + e.getCause().getMessage() + ")");
        }
    }

    private Optional<String> hostRefusal(String raw, URI uri, Resolver dns) {
        String host = uri.getHost();
        if (host == null) {
            return Optional.of("storageUri " + raw + ": no host");
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        InetAddress[] addresses;
        try {
            addresses = dns.resolve(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            // Unresolvable now: the fetch will fail and say so, with nothing reached.
            return Optional.empty();
        }
        for (InetAddress a : addresses) {
            boolean own = a.isLoopbackAddress() || a.isAnyLocalAddress() || isThisMachine(a);
            if (own && tidePorts.contains(port)) {
                return Optional.of("storageUri " + raw + ": " + host + ":" + port + " is Tide's own API or ingress; models are never "
                        + "fetched from Tide itself");
            }
            if (!allowPrivateHosts && (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress())) {
                return Optional.of("storageUri " + raw + ": " + host + " resolves to " + a.getHostAddress() + ", a "
                        + (a.isLinkLocalAddress() ? "link-local" : a.isLoopbackAddress() ? "loopback" : "unspecified")
                        + " address; models come from other hosts unless tide server --allow-private-model-hosts");
            }
        }
        return Optional.empty();
    }

    private static boolean isThisMachine(InetAddress a) {
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** The model server's flags for this policy: {@code --model_root=DIR}..., {@code --allow_private_hosts=true}, {@code --deny_port=N}... */
    public List<String> args() {
        List<String> out = new ArrayList<>();
        roots.forEach(r -> out.add("--model_root=" + r));
        if (allowPrivateHosts) {
            out.add("--allow_private_hosts=true");
        }
        tidePorts.stream().sorted().forEach(p -> out.add("--deny_port=" + p));
        return out;
    }
}
