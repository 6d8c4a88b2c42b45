package dev.tide.cli.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.cli.HttpReplies;
import dev.tide.cli.load.LoadGenerator;
import dev.tide.common.time.Ticker;
import dev.tide.controlplane.apiserver.QueryString;
import dev.tide.controlplane.apiserver.security.Tokens;
import dev.tide.controlplane.registry.Registry;
import dev.tide.modelserver.storage.ModelCache;
import dev.tide.controlplane.pods.PodView;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;

/**
 * The built-in dashboard on the API port: {@code /dashboard/} serves the page and its scripts (uPlot, from the npm
 * registry through its Maven Central package, bundled into Tide's jar at build time), and {@code /dashboard/api/}
 * the data it polls: the services with their revisions, traffic, replicas and URLs, each revision's last hour of
 * metrics ({@link MetricsHistory}), the model cache, and a stress test that runs {@code tide load}'s generator.
 */
public final class DashboardHandler implements HttpHandler {

    private static final Map<String, String> STATIC = Map.of(
            "", "index.html",
            "index.html", "index.html",
            "app.js", "app.js",
            "app.css", "app.css",
            "uPlot.iife.min.js", "uPlot.iife.min.js",
            "uPlot.min.css", "uPlot.min.css");

    private final Registry registry;
    private final MetricsHistory history;
    private final ReplicaRuntime runtime;
    private final URI ingress;
    private final Callable<List<ModelCache.Entry>> cache;
    private final Ticker ticker;
    /** One stress test at a time: the page's button, not a load-testing service. */
    private final Semaphore loadRunning = new Semaphore(1);
    /**
     * This server's dashboard secret, written into the page it serves and required on every call of its API
     * ({@value #TOKEN_HEADER}). A page of another site can neither read the dashboard (same-origin policy) nor send a
     * custom header without a CORS preflight, which Tide never grants; the API port's guard refuses foreign origins too.
     */
    private final byte[] secret;
    static final String TOKEN_HEADER = "X-Tide-Dashboard";

    /**
     * @param ingress where a stress test sends its requests
     * @param cache   the model cache's entries
     */
    private final DashboardLogin login;
    /** The replicas as pods: the replica table shows what kubectl get pods shows. */
    private final PodView pods;

    /** @param login the login for browsers of an API that needs a token */
    public DashboardHandler(Registry registry, MetricsHistory history, ReplicaRuntime runtime, PodView pods, URI ingress,
                            Callable<List<ModelCache.Entry>> cache, Ticker ticker, DashboardLogin login) {
        this.pods = pods;
        this.login = login;
        this.registry = registry;
        this.history = history;
        this.runtime = runtime;
        this.ingress = ingress;
        this.cache = cache;
        this.ticker = ticker;
        this.secret = Tokens.generate().getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/dashboard")) {
                ex.getResponseHeaders().set("Location", "/dashboard/");
                ex.sendResponseHeaders(302, -1);
                return;
            }
            String rest = path.substring("/dashboard/".length());
            if (rest.equals("login")) {
                login.handle(ex);
                return;
            }
            if (rest.startsWith("api/")) {
                String given = ex.getRequestHeaders().getFirst(TOKEN_HEADER);
                if (given == null || !java.security.MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.US_ASCII))) {
                    json(ex, 403, error("the dashboard's API answers the dashboard page only (missing or wrong " + TOKEN_HEADER + ")"));
                    return;
                }
                api(ex, rest.substring(4));
                return;
            }
            String file = STATIC.get(rest);
            InputStream in = file == null ? null : DashboardHandler.class.getResourceAsStream("/dashboard/" + file);
            if (in == null) {
                HttpReplies.text(ex, 404, "no such page: " + path);
                return;
            }
            try (in) {
                byte[] body = in.readAllBytes();
                if (file.equals("index.html")) {
                    body = new String(body, StandardCharsets.UTF_8).replace("{{TIDE_DASHBOARD_TOKEN}}",
                            new String(secret, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.UTF_8);
                    // The page carries the secret: no cache keeps it, and no other site may frame it.
                    ex.getResponseHeaders().set("Cache-Control", "no-store");
                }
                ex.getResponseHeaders().set("X-Frame-Options", "DENY");
                ex.getResponseHeaders().set("Content-Security-Policy", "frame-ancestors 'none'");
                HttpReplies.send(ex, 200, contentType(file), body);
            }
        }
    }

    private static String contentType(String file) {
        if (file.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        return file.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    }

    private void api(HttpExchange ex, String what) throws IOException {
        Map<String, String> q = QueryString.parse(ex.getRequestURI().getRawQuery());
        switch (what) {
            case "overview" -> json(ex, 200, overview());
            case "history" -> json(ex, 200, Json.MAPPER.valueToTree(history.history(q.getOrDefault("namespace", "default"),
                    q.getOrDefault("revision", ""))));
            case "load" -> {
                if (!ex.getRequestMethod().equals("POST")) {
                    json(ex, 405, error("POST a JSON object: {\"namespace\", \"service\", \"concurrency\", \"total\"}"));
                    return;
                }
                load(ex);
            }
            default -> json(ex, 404, error("no such API: /dashboard/api/" + what));
        }
    }

    private ObjectNode overview() {
        ObjectNode out = Json.object();
        ArrayNode services = out.putArray("services");
        Map<String, List<Replica>> replicasByRevision = new HashMap<>();
        for (Replica r : runtime.replicas()) {
            replicasByRevision.computeIfAbsent(r.namespace() + "/" + r.revision(), k -> new java.util.ArrayList<>()).add(r);
        }
        // Each revision under its service, in one pass over the revisions.
        Map<String, List<ObjectNode>> revisionsByService = new HashMap<>();
        for (ObjectNode rev : registry.list(ResourceTypes.REVISION, null).items()) {
            revisionsByService.computeIfAbsent(Meta.namespace(rev) + "/" + Meta.labels(rev).get(ServingLabels.SERVICE),
                    k -> new java.util.ArrayList<>()).add(rev);
        }
        for (ObjectNode svc : registry.list(ResourceTypes.SERVICE, null).items()) {
            String ns = Meta.namespace(svc);
            String name = Meta.name(svc);
            ObjectNode s = services.addObject().put("namespace", ns).put("name", name)
                    .put("url", Json.text(svc.path("status"), "url")).put("ready", condition(svc, "Ready"));
            String isvc = Meta.labels(svc).get(ServingLabels.INFERENCE_SERVICE);
            if (isvc != null) {
                s.put("inferenceService", isvc);
            }
            s.set("traffic", svc.path("status").path("traffic").deepCopy());
            ArrayNode revisions = s.putArray("revisions");
            for (ObjectNode rev : revisionsByService.getOrDefault(ns + "/" + name, List.of())) {
                ObjectNode r = revisions.addObject().put("name", Meta.name(rev)).put("ready", condition(rev, "Ready"))
                        .put("actualReplicas", rev.path("status").path("actualReplicas").asInt(0))
                        .put("desiredReplicas", rev.path("status").path("desiredReplicas").asInt(0));
                ArrayNode reps = r.putArray("replicas");
                for (Replica rep : replicasByRevision.getOrDefault(ns + "/" + Meta.name(rev), List.of())) {
                    ObjectNode o = reps.addObject().put("id", rep.id()).put("state", rep.state().name()).put("restarts", rep.restarts());
                    pods.ofReplica(rep.id()).ifPresent(p -> o.put("pod", Meta.name(p)).put("status", PodView.statusText(p)));
                    history.replicaUsage(rep.id()).ifPresent(u -> o.put("cpu", u[0]).put("memory", u[1]));
                }
            }
        }
        ArrayNode models = out.putArray("modelCache");
        try {
            for (ModelCache.Entry e : cache.call()) {
                models.addObject().put("uri", e.uri()).put("bytes", e.bytes()).put("inUse", e.inUse())
                        .put("lastUsedMillis", e.lastUsedMillis());
            }
        } catch (Exception e) {
            out.put("modelCacheError", String.valueOf(e.getMessage()));
        }
        return out;
    }

    private static String condition(JsonNode obj, String type) {
        for (JsonNode c : obj.path("status").path("conditions")) {
            if (type.equals(Json.text(c, "type"))) {
                return Json.text(c, "status");
            }
        }
        return "Unknown";
    }

    /** Runs a stress test against a service through the ingress and answers with hey's summary as data. */
    private void load(HttpExchange ex) throws IOException {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(ex.getRequestBody().readAllBytes());
        } catch (IOException e) {
            json(ex, 400, error("the body must be JSON: " + e.getMessage()));
            return;
        }
        String ns = body.path("namespace").asText("default");
        String name = body.path("service").asText("");
        int concurrency = body.path("concurrency").asInt(5);
        int total = body.path("total").asInt(20);
        if (concurrency < 1 || concurrency > 1000 || total < 1 || total > 1_000_000) {
            json(ex, 400, error("expected 1 <= concurrency <= 1000 and 1 <= total <= 1000000, got " + concurrency + " and " + total));
            return;
        }
        String url = registry.get(ResourceTypes.SERVICE, ns, name).map(s -> Json.text(s.path("status"), "url")).orElse(null);
        if (url == null) {
            json(ex, 404, error("no Knative Service \"" + name + "\" with a URL in namespace " + ns));
            return;
        }
        if (!loadRunning.tryAcquire()) {
            json(ex, 409, error("a stress test is already running"));
            return;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(ingress.resolve("/")).header("Host", URI.create(url).getHost())
                    .header("User-Agent", "tide-dashboard").timeout(Duration.ofSeconds(60)).GET().build();
            LoadGenerator.Run run = LoadGenerator.run(request, concurrency, total, Long.MAX_VALUE, 0, ticker, null);
            ObjectNode out = Json.MAPPER.valueToTree(LoadGenerator.summary(run.results(), run.seconds()));
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            LoadGenerator.print(run.results(), run.seconds(), new java.io.PrintStream(text, true, StandardCharsets.UTF_8));
            out.put("text", text.toString(StandardCharsets.UTF_8));
            json(ex, 200, out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            json(ex, 503, error("interrupted"));
        } finally {
            loadRunning.release();
        }
    }

    private static ObjectNode error(String message) {
        ObjectNode o = Json.object();
        o.put("error", message);
        return o;
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        HttpReplies.send(ex, status, "application/json", Json.MAPPER.writeValueAsBytes(body));
    }
}
