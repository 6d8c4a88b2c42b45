package dev.tide.cli;

import dev.tide.common.time.Scheduler;
import dev.tide.dataplane.gateway.ClientLimits;
import dev.tide.runtime.ReplicaRuntime;
import java.nio.file.Path;
import java.util.List;
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
 * @param security        who may use the API, and what replicas and model fetches may reach
 * @param clients         what one client may hold of the ingress; the API gets the same head timeout, idle timeout
 *                        and connection cap
 */
record ServerConfig(String bind, int apiPort, int httpPort, Path dataDir, String domain, Map<String, Path> volumes,
                    long cacheQuotaBytes, Security security, ClientLimits clients, Cluster cluster) {

    /**
     * A Kubernetes cluster to run image-only containers on, one Pod per replica.
     *
     * @param kubeconfig {@code --kubeconfig}: the file kubectl would use (its current context)
     * @param namespace  {@code --kube-namespace}: every pod in this namespace, or {@code null} for each revision's own
     */
    record Cluster(Path kubeconfig, String namespace) {

        /** The runtime, its client made from the kubeconfig now; the pods it makes carry this data dir's instance label. */
        ReplicaRuntime runtime(Scheduler scheduler, java.util.concurrent.Executor blocking, ReplicaRuntime.DrainGate gate, Path dataDir) {
            io.fabric8.kubernetes.client.Config config;
            try {
                config = io.fabric8.kubernetes.client.Config.fromKubeconfig(java.nio.file.Files.readString(kubeconfig));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--kubeconfig " + kubeconfig + ": cannot read it (" + e.getMessage() + ")", e);
            }
            // An API server on cleartext http is a local proxy or a test's: HTTP/1.1 there, as kube-apiserver speaks no
            // h2c (the JDK client's upgrade offer is what such servers mishandle); https negotiates HTTP/2 as usual.
            boolean cleartext = config.getMasterUrl() != null && config.getMasterUrl().startsWith("http://");
            var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config)
                    .withHttpClientBuilderConsumer(b -> {
                        if (cleartext) {
                            b.preferHttp11();
                        }
                    }).build();
            // One label value per data directory: a restarted Tide finds its own pods, two Tides leave each other's alone.
            String instance = "tide-" + Integer.toHexString(dataDir.toAbsolutePath().normalize().toString().hashCode());
            return new dev.tide.runtime.kubernetes.KubernetesRuntime(client, scheduler, blocking, gate,
                    new dev.tide.runtime.kubernetes.KubernetesRuntime.Settings(namespace, instance), new java.security.SecureRandom());
        }
    }

    static final int DEFAULT_API_PORT = 8081;
    static final int DEFAULT_HTTP_PORT = 8080;
    static final long DEFAULT_CACHE_QUOTA = dev.tide.modelserver.storage.ModelCache.Limits.DEFAULT.quotaBytes();

    /**
     * @param tokenAuthFile          kube-apiserver's token file format, or {@code null}
     * @param tlsCertFile            the API's PEM certificate chain, or {@code null} (self-signed off loopback)
     * @param tlsKeyFile             its PKCS#8 PEM key, or {@code null}
     * @param apiHosts               names besides loopback that the API answers to without a token
     * @param anonymous              whether requests without a token are let in; {@code null}: on a loopback bind only
     * @param replicaUser            who replicas run as when Tide runs as root and a container names no
     *                               {@code securityContext.runAsUser}; {@code null} for Tide's own user
     * @param modelRoots             where {@code file://} models may be read; empty for the defaults (data dir,
     *                               working directory, {@code examples/})
     * @param allowPrivateModelHosts whether {@code http(s)}/{@code s3} model fetches may reach loopback and
     *                               link-local addresses
     * @param replicaCgroups         whether replicas with limits get cgroups of their own where the host allows it
     */
    record Security(Path tokenAuthFile, Path tlsCertFile, Path tlsKeyFile, List<String> apiHosts, Boolean anonymous,
                    String replicaUser, List<Path> modelRoots, boolean allowPrivateModelHosts, boolean replicaCgroups) {

        static final Security DEFAULT = new Security(null, null, null, List.of(), null, "nobody", List.of(), false, true);

        Security {
            apiHosts = List.copyOf(apiHosts);
            modelRoots = List.copyOf(modelRoots);
        }
    }

    ServerConfig(String bind, int apiPort, int httpPort, Path dataDir, String domain) {
        this(bind, apiPort, httpPort, dataDir, domain, Map.of(), DEFAULT_CACHE_QUOTA, Security.DEFAULT, defaultClientLimits(), null);
    }

    /**
     * nginx's timeouts and sizes, and a connection cap per listener of a quarter of the process's file descriptors
     * (at least 256): an ingress connection may hold a second one to its replica, and the replicas' pipes, the store
     * and the API need theirs. With the usual limit of 20,000: 5,000 connections per listener.
     */
    static ClientLimits defaultClientLimits() {
        long fds = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : 40_000;
        return ClientLimits.DEFAULT.withMaxConnections((int) Math.clamp(fds / 4, 256, ClientLimits.DEFAULT.maxConnections()));
    }

    ServerConfig {
        volumes = Map.copyOf(volumes);
    }

    Path modelCache() {
        return dataDir.resolve("models");
    }

    /** Where {@code file://} models may be read: the operator's roots, or the data dir, the working directory and examples/. */
    List<Path> modelRoots() {
        if (!security.modelRoots().isEmpty()) {
            return security.modelRoots().stream().map(p -> p.toAbsolutePath().normalize()).toList();
        }
        Path cwd = Path.of("").toAbsolutePath();
        return List.of(dataDir.toAbsolutePath().normalize(), cwd, cwd.resolve("examples"));
    }
}
