package dev.tide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Admission;
import dev.tide.api.Conditions;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.api.UnservedKinds;
import dev.tide.api.config.ClusterConfig;
import dev.tide.dataplane.gateway.ClientLimits;
import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code tide} command. */
// INHERIT gives every subcommand -h/--help (and -V/--version), which picocli otherwise gives only the top command.
@Command(name = "tide", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, scope = CommandLine.ScopeType.INHERIT,
        description = "Serverless model inference with Knative and KServe semantics.",
        subcommands = {Main.Server.class, CacheCommand.class, Main.Up.class, Main.Apply.class, Main.Get.class, Main.Describe.class,
                Main.Delete.class, Main.Logs.class, LoadCommand.class, Main.Validate.class, Simulate.class, Main.VersionCommand.class})
public final class Main {

    /** Exit code for a command that ran and found problems (invalid manifests, refused objects). */
    static final int FAILED = 1;
    /** Exit code for a command that could not run (bad usage, no server). */
    static final int ERROR = 2;

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        // tide load sends a service's Host header to the ingress, as hey's -host does.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + dev.tide.common.text.Failures.describe(e));
            return e instanceof ApiClient.ApiError || e instanceof IllegalArgumentException ? FAILED : ERROR;
        });
        System.exit(cli.execute(args));
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("/tide-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "dev");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tide " + version()};
        }
    }

    /** Options of commands that talk to a server. */
    static class ClientOptions extends ConnectionOptions {
        @Option(names = {"-n", "--namespace"}, description = "namespace (default: the kubeconfig context's, else default)")
        String namespaceOption;

        String namespace() {
            return namespace(namespaceOption);
        }
    }

    static ResourceType type(String name) {
        return ResourceTypes.byName(name).orElseThrow(() -> new IllegalArgumentException(
                "the server doesn't have a resource type \"" + name + "\" (Tide serves: ksvc, configurations, revisions, "
                        + "routes, isvc, secrets, configmaps)"));
    }

    @Command(name = "server", description = "Run Tide: the API (for kubectl and tide) and the ingress.")
    static final class Server implements Callable<Integer> {
        @Option(names = "--api-port", defaultValue = "8081", description = "API port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
        int apiPort;

        @Option(names = "--http-port", defaultValue = "8080", description = "ingress port (default: ${DEFAULT-VALUE})")
        int httpPort;

        @Option(names = "--data-dir", description = "where objects are stored (default: ~/.tide)")
        Path dataDir;

        @Option(names = "--domain", defaultValue = ClusterConfig.DEFAULT_DOMAIN, description = "domain of route URLs (default: ${DEFAULT-VALUE})")
        String domain;

        @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address to listen on (default: ${DEFAULT-VALUE})")
        String bind;

        @Option(names = "--volume", description = "a named local volume for pvc://NAME/path storage URIs, as NAME=DIR (repeatable)")
        Map<String, Path> volumes = new java.util.LinkedHashMap<>();

        @Option(names = "--model-cache-quota", defaultValue = "100Gi",
                description = "model cache quota; above 95%% of it, least recently used models not in use are evicted down to 70%% (default: ${DEFAULT-VALUE})")
        String cacheQuota;

        @Option(names = "--token-auth-file", description = "bearer tokens, as kube-apiserver's: CSV lines token,user,uid,\"groups\"; "
                + "groups system:masters or tide:admin[:NAMESPACE] give admin, tide:view[:NAMESPACE] view")
        Path tokenAuthFile;

        @Option(names = "--tls-cert-file", description = "the API's PEM certificate chain (default off loopback: a self-signed one, pinned in the kubeconfig)")
        Path tlsCertFile;

        @Option(names = "--tls-private-key-file", description = "the API's PKCS#8 PEM private key")
        Path tlsKeyFile;

        @Option(names = "--api-host", description = "a host name the API answers to besides loopback names (repeatable), e.g. behind a local proxy")
        List<String> apiHosts = new ArrayList<>();

        @Option(names = "--anonymous-auth", negatable = true,
                description = "let requests without a token in (default: on a loopback bind only; refused off loopback)")
        Boolean anonymous;

        @Option(names = "--replica-user", defaultValue = "nobody",
                description = "when Tide runs as root, the user replicas run as unless their securityContext names one (default: ${DEFAULT-VALUE}); "
                        + "'root' keeps them root")
        String replicaUser;

        @Option(names = "--replica-cgroups", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "give each replica with resources.limits a cgroup of its own (v2, or v1's memory and cpu "
                        + "hierarchies) where the host lets Tide make one, so the kernel holds it to them (default: on)")
        boolean replicaCgroups;

        @Option(names = "--kubeconfig", description = "a kubeconfig file: containers with only an image run as Pods on its "
                + "cluster (its current context), one per replica; those with a command still run here")
        Path kubeconfig;

        @Option(names = "--kube-namespace", description = "with --kubeconfig, the namespace every pod goes in (default: each "
                + "revision's own)")
        String kubeNamespace;

        @Option(names = "--model-root", description = "a directory file:// models may be read from (repeatable; default: the data dir, "
                + "the working directory and examples/)")
        List<Path> modelRoots = new ArrayList<>();

        @Option(names = "--allow-private-model-hosts", description = "let http(s) and s3 model fetches reach loopback and link-local addresses")
        boolean allowPrivateModelHosts;

        @Option(names = "--client-header-timeout", defaultValue = "60s",
                description = "a request head must arrive within this of its first byte, else 408 and the connection closes (default: ${DEFAULT-VALUE})")
        String headerTimeout;

        @Option(names = "--keepalive-timeout", defaultValue = "75s",
                description = "an idle keep-alive connection is closed after this (default: ${DEFAULT-VALUE})")
        String keepaliveTimeout;

        @Option(names = "--max-connections", description = "open client connections per listener (ingress, API) at most; "
                + "at the cap new ones wait in the kernel's backlog (default: a quarter of the file descriptor limit, at most 10000)")
        Integer maxConnections;

        @Option(names = "--max-request-line-bytes", defaultValue = "8192", description = "longer request lines get 414 (default: ${DEFAULT-VALUE})")
        int maxRequestLine;

        @Option(names = "--max-header-bytes", defaultValue = "32768", description = "larger request headers get 431 (default: ${DEFAULT-VALUE})")
        int maxHeaderBytes;

        private static java.time.Duration duration(String value, String flag) {
            try {
                return dev.tide.common.text.GoDuration.parse(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(flag + ": expected a duration such as 60s or 1m30s, got \"" + value + "\"", e);
            }
        }

        @Override
        public Integer call() throws Exception {
            ServerConfig config = new ServerConfig(bind, apiPort, httpPort,
                    dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".tide"), domain, volumes,
                    CacheCommand.bytes(cacheQuota, "--model-cache-quota"),
                    new ServerConfig.Security(tokenAuthFile, tlsCertFile, tlsKeyFile, apiHosts, anonymous, replicaUser, modelRoots,
                            allowPrivateModelHosts, replicaCgroups),
                    new ClientLimits(duration(headerTimeout, "--client-header-timeout"), duration(keepaliveTimeout, "--keepalive-timeout"),
                            maxConnections != null ? maxConnections : ServerConfig.defaultClientLimits().maxConnections(),
                            maxRequestLine, maxHeaderBytes),
                    kubeconfig == null ? null : new ServerConfig.Cluster(kubeconfig, kubeNamespace));
            TideServer server = TideServer.start(config, version());
            System.out.println("Tide " + version() + " API listening on " + server.apiUrl() + " (data in " + config.dataDir() + ")");
            System.out.println("Tide ingress listening on http://" + bind + ":" + server.httpPort());
            printAccess(server, System.out);
            System.out.flush();
            runUntilShutdown(server);
            return 0;
        }
    }

    /** How to reach the API: the kubeconfig line, and whether a token is needed. */
    static void printAccess(TideServer server, PrintStream out) {
        out.println("Point kubectl at it: KUBECONFIG=" + server.access().kubeconfig() + " kubectl get ksvc"
                + (server.access().guard().anonymousLoopback() ? "   (or, on this machine: kubectl --server " + server.apiUrl() + " get ksvc)" : ""));
        if (!server.access().guard().anonymousLoopback()) {
            out.println("The API needs a token: the kubeconfig has the admin's (also in " + server.access().kubeconfig().resolveSibling("admin-token")
                    + "); tide commands read it with --kubeconfig " + server.access().kubeconfig());
        }
    }

    /**
     * Runs until SIGINT or SIGTERM, then closes {@code server} from the JVM's shutdown hook (stopping the API,
     * the reconcilers, and flushing the store) before the process exits.
     */
    static void runUntilShutdown(TideServer server) throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
                System.out.println("Tide stopped");
            } finally {
                closed.countDown();
            }
        }, "tide-shutdown"));
        closed.await();
    }

    @Command(name = "up", description = "Start Tide, apply the examples, show what runs; Ctrl-C stops it.")
    static final class Up implements Callable<Integer> {
        @Option(names = "--api-port", defaultValue = "8081")
        int apiPort;

        @Option(names = "--data-dir", description = "where objects are stored (default: ~/.tide)")
        Path dataDir;

        @Option(names = {"-f", "--filename"}, defaultValue = "examples", description = "manifests to apply (default: ${DEFAULT-VALUE})")
        List<String> files;

        @Override
        public Integer call() throws Exception {
            ServerConfig config = new ServerConfig("127.0.0.1", apiPort, ServerConfig.DEFAULT_HTTP_PORT,
                    dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".tide"), ClusterConfig.DEFAULT_DOMAIN);
            TideServer server = TideServer.start(config, version());
            try {
                URI api = server.apiUrl();
                System.out.println("Tide " + version() + " API listening on " + api);
                ApiClient client = new ApiClient(new Connection(api, server.access().adminToken(), null));
                int failed = new Applier(client, System.out, System.err).apply(ManifestFiles.read(files, false, System.in), "default");
                awaitSettled(client, Duration.ofSeconds(30));
                System.out.println();
                TablePrinter.print(client.table(ResourceTypes.SERVICE, null, null), true, System.out);
                System.out.println();
                TablePrinter.print(client.table(ResourceTypes.INFERENCE_SERVICE, null, null), true, System.out);
                System.out.println();
                System.out.println("Try a service:      curl -H 'Host: hello.default.example.com' http://127.0.0.1:" + server.httpPort() + "/");
                System.out.println("Embed a sentence:   curl -H 'Host: minilm.default.example.com' http://127.0.0.1:" + server.httpPort()
                        + "/v1/models/minilm:predict -d '{\"instances\": [\"Tide scales each model with its traffic.\"]}'");
                System.out.println("kubectl works too:  kubectl --server " + api + " get ksvc,isvc,revisions   (or KUBECONFIG="
                        + server.access().kubeconfig() + " kubectl get ksvc)");
                System.out.println("Dashboard:          " + api + "/dashboard/   (metrics for Prometheus: " + api + "/metrics)");
                System.out.println("Load it like hey:   ./tide load hello -c 5 -n 20");
                System.out.println(failed == 0 ? "Tide is up. Ctrl-C stops it." : failed + " manifest(s) refused; Tide is up. Ctrl-C stops it.");
                System.out.flush();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
            runUntilShutdown(server);
            return 0;
        }
    }

    /** Waits until no Service or InferenceService is still Unknown (each is Ready or has failed), or the time is up. */
    static void awaitSettled(ApiClient client, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            boolean settled = true;
            for (ResourceType type : List.of(ResourceTypes.SERVICE, ResourceTypes.INFERENCE_SERVICE)) {
                for (JsonNode o : client.list(type, null).path("items")) {
                    settled &= !Conditions.UNKNOWN.equals(Conditions.status(o, Conditions.READY));
                }
            }
            if (settled) {
                return;
            }
            Thread.sleep(200);
        }
    }

    @Command(name = "apply", description = "Create or update objects from manifests.")
    static final class Apply extends ClientOptions implements Callable<Integer> {
        @Option(names = {"-f", "--filename"}, required = true, description = "file, directory or - for stdin")
        List<String> files;

        @Option(names = {"-R", "--recursive"}, description = "read directories recursively")
        boolean recursive;

        @Override
        public Integer call() {
            int failed = new Applier(client(), System.out, System.err).apply(ManifestFiles.read(files, recursive, System.in), namespace());
            return failed == 0 ? 0 : FAILED;
        }
    }

    @Command(name = "get", description = "List objects, or show one.")
    static final class Get extends ClientOptions implements Callable<Integer> {
        @Parameters(index = "0", description = "kind: ksvc, revisions, routes, configurations, isvc, secrets, configmaps")
        String kind;

        @Parameters(index = "1", arity = "0..1", description = "name")
        String name;

        @Option(names = {"-o", "--output"}, description = "yaml, json or name")
        String output;

        @Option(names = {"-A", "--all-namespaces"})
        boolean allNamespaces;

        @Override
        public Integer call() {
            ResourceType type = type(kind);
            ApiClient client = client();
            String ns = allNamespaces ? null : namespace();
            if (output == null || output.equals("wide")) {
                TablePrinter.print(client.table(type, ns, name), allNamespaces, System.out);
                return 0;
            }
            JsonNode result;
            if (name != null) {
                result = client.get(type, namespace(), name).orElseThrow(() -> new ApiClient.ApiError(404,
                        type.groupResource() + " \"" + name + "\" not found"));
            } else {
                result = client.list(type, ns);
            }
            switch (output) {
                case "yaml" -> System.out.print(Json.writeYaml(result));
                case "json" -> System.out.println(result.toPrettyString());
                case "name" -> {
                    List<JsonNode> items = new ArrayList<>();
                    if (name != null) {
                        items.add(result);
                    } else {
                        result.path("items").forEach(items::add);
                    }
                    items.forEach(o -> System.out.println(type.singular() + "." + type.group() + "/" + Meta.name(o)));
                }
                default -> throw new IllegalArgumentException("unknown output format \"" + output + "\" (expected yaml, json, name or wide)");
            }
            return 0;
        }
    }

    @Command(name = "describe", description = "Show an object's state: URL, conditions, traffic, revisions.")
    static final class Describe extends ClientOptions implements Callable<Integer> {
        @Parameters(index = "0")
        String kind;

        @Parameters(index = "1")
        String name;

        @Override
        public Integer call() {
            ResourceType type = type(kind);
            ObjectNode o = client().get(type, namespace(), name)
                    .orElseThrow(() -> new ApiClient.ApiError(404, type.groupResource() + " \"" + name + "\" not found"));
            PrintStream out = System.out;
            out.println("Name:         " + Meta.name(o));
            out.println("Namespace:    " + Meta.namespace(o));
            out.println("Kind:         " + Meta.apiVersion(o) + " " + Meta.kind(o));
            out.println("Created:      " + Json.text(o.path("metadata"), "creationTimestamp"));
            if (Meta.generation(o) > 0) {
                out.println("Generation:   " + Meta.generation(o) + " (observed " + o.path("status").path("observedGeneration").asLong() + ")");
            }
            JsonNode status = o.path("status");
            if (status.hasNonNull("url")) {
                out.println("URL:          " + status.get("url").asText());
            }
            for (String f : List.of("latestCreatedRevisionName", "latestReadyRevisionName")) {
                if (status.hasNonNull(f)) {
                    out.println(String.format("%-14s%s", f.startsWith("latestCreated") ? "Latest:" : "Latest ready:", status.get(f).asText()));
                }
            }
            Meta.annotations(o).forEach((k, v) -> {
                if (!k.equals(Meta.LAST_APPLIED)) {
                    out.println("Annotation:   " + k + "=" + v);
                }
            });
            if (!status.path("traffic").isEmpty()) {
                out.println("Traffic:");
                for (JsonNode t : status.get("traffic")) {
                    out.println(String.format("  %4s%%  %s%s%s", t.path("percent").asText("0"), t.path("revisionName").asText(),
                            t.path("latestRevision").asBoolean(false) ? " (latest)" : "",
                            t.hasNonNull("tag") ? "  #" + t.get("tag").asText() + " " + t.path("url").asText() : ""));
                }
            }
            if (!status.path("conditions").isEmpty()) {
                out.println("Conditions:");
                out.println(String.format("  %-22s %-8s %-22s %s", "TYPE", "STATUS", "REASON", "MESSAGE"));
                for (JsonNode c : status.get("conditions")) {
                    out.println(String.format("  %-22s %-8s %-22s %s", c.path("type").asText(), c.path("status").asText(),
                            c.path("reason").asText(""), c.path("message").asText("")));
                }
            }
            return 0; // as kubectl describe: showing a failing object is a success; its conditions say it failed
        }
    }

    @Command(name = "delete", description = "Delete objects by kind and name, or those in manifests.")
    static final class Delete extends ClientOptions implements Callable<Integer> {
        @Parameters(arity = "0..2", description = "KIND NAME")
        List<String> args = new ArrayList<>();

        @Option(names = {"-f", "--filename"})
        List<String> files;

        @Option(names = "--ignore-not-found")
        boolean ignoreNotFound;

        @Override
        public Integer call() {
            ApiClient client = client();
            List<String[]> targets = new ArrayList<>();
            if (files != null) {
                for (ManifestFiles.Manifest m : ManifestFiles.read(files, false, System.in)) {
                    ObjectNode o = m.object();
                    ResourceType t = ResourceTypes.byApiVersionAndKind(Meta.apiVersion(o), Meta.kind(o))
                            .orElseThrow(() -> new IllegalArgumentException(UnservedKinds.refusal(Meta.apiVersion(o), Meta.kind(o), Meta.name(o))));
                    targets.add(new String[] {t.plural() + "." + t.group(), Meta.namespace(o).isEmpty() ? namespace() : Meta.namespace(o), Meta.name(o)});
                }
            } else if (args.size() == 2) {
                targets.add(new String[] {args.get(0), namespace(), args.get(1)});
            } else {
                throw new IllegalArgumentException("give KIND NAME or -f FILE");
            }
            int failed = 0;
            for (String[] t : targets) {
                ResourceType type = ResourceTypes.byName(t[0]).orElseGet(() -> type(t[0].split("\\.")[0]));
                try {
                    client.delete(type, t[1], t[2]);
                    System.out.println(type.singular() + (type.group().isEmpty() ? "" : "." + type.group()) + " \"" + t[2] + "\" deleted");
                } catch (ApiClient.ApiError e) {
                    if (!(ignoreNotFound && e.code() == 404)) {
                        System.err.println("error: " + e.getMessage());
                        failed++;
                    }
                }
            }
            return failed == 0 ? 0 : FAILED;
        }
    }

    @Command(name = "logs", description = "Print the output of a revision's replicas, each line prefixed with its replica; "
            + "with --requests, its request log; for pod/NAME, that one replica's output, as kubectl logs prints it.")
    static final class Logs extends ClientOptions implements Callable<Integer> {
        @Parameters(index = "0", description = "the revision, e.g. hello-00001, or a pod, e.g. pod/hello-00001-deployment-...")
        String revision;

        @Option(names = {"-p", "--previous"}, description = "a pod's previous process's output (after a restart)")
        boolean previous;

        @Option(names = "--tail", description = "a pod's last N lines only", defaultValue = "-1")
        int tail;

        @Option(names = {"-f", "--follow"}, description = "keep printing new lines until interrupted")
        boolean follow;

        @Option(names = "--requests", description = "the request log (config-observability's logging.request-log-template, "
                + "one line per request) instead of the replicas' output")
        boolean requests;

        @Override
        public Integer call() throws Exception {
            Connection conn = connection();
            java.net.http.HttpClient http = conn.httpClient();
            String ns = java.net.URLEncoder.encode(namespace(), java.nio.charset.StandardCharsets.UTF_8);
            String pod = revision.startsWith("pod/") ? revision.substring(4) : revision.startsWith("po/") ? revision.substring(3) : null;
            if (pod == null && (previous || tail >= 0)) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--previous and --tail are for a pod: tide logs pod/NAME");
            }
            java.net.http.HttpRequest request = conn.request(pod != null
                    ? "/api/v1/namespaces/" + ns + "/pods/" + java.net.URLEncoder.encode(pod, java.nio.charset.StandardCharsets.UTF_8)
                            + "/log?follow=" + follow + "&previous=" + previous + (tail >= 0 ? "&tailLines=" + tail : "")
                    : "/logs/v1/namespaces/" + ns + "/revisions/"
                            + java.net.URLEncoder.encode(revision, java.nio.charset.StandardCharsets.UTF_8) + "?follow=" + follow
                            + "&requests=" + requests).build();
            java.net.http.HttpResponse<java.util.stream.Stream<String>> response;
            try {
                response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofLines());
            } catch (java.net.ConnectException e) {
                throw new ApiClient.ApiError(0, "cannot reach Tide at " + conn.server() + ": is 'tide server' running?");
            }
            if (response.statusCode() != 200) {
                String why = response.body().collect(java.util.stream.Collectors.joining("\n"));
                if (why.startsWith("{")) {
                    // The API's answer is a Kubernetes Status: its message is the reason.
                    String message = dev.tide.api.Json.text(dev.tide.api.Json.parseObject(why), "message");
                    why = message != null ? message : why;
                }
                throw new ApiClient.ApiError(response.statusCode(), why.isBlank() ? "logs not available: HTTP " + response.statusCode() : why);
            }
            response.body().forEach(l -> {
                System.out.println(l);
                System.out.flush();
            });
            return 0;
        }
    }

    @Command(name = "validate", description = "Check manifests offline with the server's defaults and rules (for CI).")
    static final class Validate implements Callable<Integer> {
        @Option(names = {"-f", "--filename"}, required = true, description = "file, directory or - for stdin")
        List<String> files;

        @Option(names = {"-R", "--recursive"})
        boolean recursive;

        @Option(names = "--domain", defaultValue = ClusterConfig.DEFAULT_DOMAIN)
        String domain;

        @Override
        public Integer call() {
            List<ManifestFiles.Manifest> manifests = ManifestFiles.read(files, recursive, System.in);
            // ConfigMaps in the same input configure the rest, as they would once applied.
            ClusterConfig config = ClusterConfig.defaults(domain);
            for (ManifestFiles.Manifest m : manifests) {
                ObjectNode o = m.object();
                if ("ConfigMap".equals(Meta.kind(o)) && ClusterConfig.isConfigMap(Meta.namespace(o), Meta.name(o))
                        && ClusterConfig.validate(Meta.name(o), Meta.strings(o.get("data"))).isEmpty()) {
                    config = config.with(Meta.name(o), Meta.strings(o.get("data")), domain);
                }
            }
            int invalid = 0;
            for (ManifestFiles.Manifest m : manifests) {
                ObjectNode o = m.object().deepCopy();
                String what = m.source() + ": " + Meta.kind(o) + " \"" + Meta.name(o) + "\"";
                var type = ResourceTypes.byApiVersionAndKind(Meta.apiVersion(o), Meta.kind(o));
                if (type.isEmpty()) {
                    System.out.println(m.source() + ": " + UnservedKinds.refusal(Meta.apiVersion(o), Meta.kind(o), Meta.name(o)));
                    invalid++;
                    continue;
                }
                try {
                    Admission.Admitted a = Admission.admit(type.get(), o, config);
                    System.out.println(what + ": valid");
                    a.warnings().forEach(w -> System.out.println(what + ": warning: " + w));
                } catch (ValidationException e) {
                    invalid++;
                    for (FieldError fe : e.errors()) {
                        System.out.println(what + ": " + fe.toString().replace("\n", "; "));
                    }
                }
            }
            return invalid == 0 ? 0 : FAILED;
        }
    }

    @Command(name = "version", description = "Print Tide's version.")
    static final class VersionCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("tide " + version());
            return 0;
        }
    }
}
