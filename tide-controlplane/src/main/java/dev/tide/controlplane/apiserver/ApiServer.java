package dev.tide.controlplane.apiserver;

import static dev.tide.controlplane.apiserver.ApiExchanges.JSON;
import static dev.tide.controlplane.apiserver.ApiExchanges.deleteOptionsDryRun;
import static dev.tide.controlplane.apiserver.ApiExchanges.dryRun;
import static dev.tide.controlplane.apiserver.ApiExchanges.emptyToNull;
import static dev.tide.controlplane.apiserver.ApiExchanges.header;
import static dev.tide.controlplane.apiserver.ApiExchanges.isTrue;
import static dev.tide.controlplane.apiserver.ApiExchanges.readJson;
import static dev.tide.controlplane.apiserver.ApiExchanges.readObject;
import static dev.tide.controlplane.apiserver.ApiExchanges.send;
import static dev.tide.controlplane.apiserver.ApiExchanges.sendJson;
import static dev.tide.controlplane.apiserver.ApiExchanges.wantsTable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.tide.api.FieldValidation;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.common.time.Ticker;
import dev.tide.controlplane.apiserver.security.ApiGuard;
import dev.tide.controlplane.pods.PodView;
import dev.tide.controlplane.registry.ApiException;
import dev.tide.controlplane.registry.Registry;
import dev.tide.store.StoreException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * Tide's API: the subset of the Kubernetes API that {@code kubectl} needs for Knative's and KServe's kinds
 * (discovery, get, list, watch, create, update, merge and apply patches, delete), plus Secrets and ConfigMaps.
 * The answers have the shapes kubectl expects, including server-side printed Tables, {@code Status} errors and
 * {@code Warning} headers.
 *
 * <p>Threading: the JDK HTTP server runs each exchange on the executor it is given (the launcher passes virtual
 * threads), so a long watch costs a parked virtual thread, not a platform thread.
 */
public final class ApiServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());

    private final Registry registry;
    private final InstantSource clock;
    private final Ticker ticker;
    private final String version;
    private final HttpServer http;
    private final Filter guard;
    private volatile boolean closing;
    /** Lists and watches, for every kind. */
    private final ListAndWatch lists;
    /** The kinds' OpenAPI documents, made once. */
    private final OpenApi openApi = new OpenApi();
    /** The replicas as Pods, once the serving half is up; until then there are none. */
    private volatile PodView pods;

    /**
     * @param bind     address to listen on; port 0 picks a free port (see {@link #port()})
     * @param executor runs each request
     * @param version  Tide's version, shown by {@code kubectl version}
     * @param guard    decides on every request to every context of this port ({@link ApiGuard})
     * @param tls      serves HTTPS with it, or plain HTTP when {@code null}
     */
    public ApiServer(Registry registry, InstantSource clock, Ticker ticker, InetSocketAddress bind, Executor executor,
                     String version, ApiGuard guard, SSLContext tls) throws IOException {
        this.registry = registry;
        this.clock = clock;
        this.ticker = ticker;
        this.version = version;
        this.lists = new ListAndWatch(clock, ticker, () -> closing);
        if (tls != null) {
            HttpsServer https = HttpsServer.create(bind, 128);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            this.http = https;
        } else {
            this.http = HttpServer.create(bind, 128);
        }
        this.guard = new GuardFilter(guard);
        http.setExecutor(executor);
        addContext("/", this::handle);
    }

    /**
     * Serves {@code handler} under {@code path} on the same port (health, metrics, the dashboard), behind the same
     * guard as the API: no context of this port is reachable without passing it.
     */
    public void addContext(String path, HttpHandler handler) {
        http.createContext(path, handler).getFilters().add(guard);
    }

    /** Applies the {@link ApiGuard} and answers its refusals as Kubernetes Status objects. */
    private static final class GuardFilter extends Filter {
        private final ApiGuard guard;

        GuardFilter(ApiGuard guard) {
            this.guard = guard;
        }

        @Override
        public void doFilter(HttpExchange ex, Chain chain) throws IOException {
            boolean watch = isTrue(QueryString.parse(ex.getRequestURI().getRawQuery()).get("watch"));
            switch (guard.check(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), watch, ex.getRequestHeaders()::getFirst)) {
                case ApiGuard.Allowed a -> chain.doFilter(ex);
                // The body of a refused or redirected request is not read: closing the exchange drops the connection
                // rather than drain an attacker's upload.
                case ApiGuard.Redirect r -> {
                    try (ex) {
                        ex.getResponseHeaders().set("Location", r.location());
                        ex.sendResponseHeaders(303, -1);
                    }
                }
                case ApiGuard.Refused r -> {
                    try (ex) {
                        if (r.code() == 401) {
                            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"tide\"");
                        }
                        send(ex, r.code(), JSON, Json.write(new ApiException(r.code(), r.reason(), r.message(), null).toStatus()), List.of());
                    }
                }
            }
        }

        @Override
        public String description() {
            return "Tide's API guard: authentication, Host, Origin, content type, authorization";
        }
    }

    public void start() {
        http.start();
    }

    /** Serves {@code pods} as the core group's Pods ({@code kubectl get pods}, {@code logs}, {@code delete pod}). */
    public void servePods(PodView pods) {
        this.pods = pods;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    @Override
    public void close() {
        closing = true;
        http.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                route(ex);
            } catch (ApiException e) {
                send(ex, e.code(), JSON, Json.write(e.toStatus()), List.of());
            } catch (StoreException.Gone e) {
                ApiException gone = ApiException.gone(e.getMessage());
                send(ex, gone.code(), JSON, Json.write(gone.toStatus()), List.of());
            } catch (IllegalArgumentException e) {
                ApiException bad = ApiException.badRequest(e.getMessage());
                send(ex, 400, JSON, Json.write(bad.toStatus()), List.of());
            } catch (IOException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "request " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " failed", e);
                ApiException internal = new ApiException(500, "InternalError", "Internal error occurred: " + e, null);
                send(ex, 500, JSON, Json.write(internal.toStatus()), List.of());
            }
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        switch (path) {
            case "/livez", "/readyz", "/healthz" -> {
                send(ex, closing ? 503 : 200, "text/plain; charset=utf-8", closing ? "shutting down" : "ok", List.of());
                return;
            }
            case "/version" -> {
                sendJson(ex, 200, Discovery.version(version), List.of());
                return;
            }
            case "/openapi/v3" -> {
                send(ex, 200, JSON, openApi.root(), List.of());
                return;
            }
            case "/openapi/v2" -> {
                // client-go asks for protocol buffers; a browser or curl gets JSON, as from kube-apiserver.
                String accept = ex.getRequestHeaders().getFirst("Accept");
                boolean proto = accept != null && accept.contains("protobuf");
                send(ex, 200, proto ? OpenApiV2.PROTOBUF : JSON, proto ? openApi.v2().protobuf() : openApi.v2().json(), List.of());
                return;
            }
            case "/api" -> {
                sendJson(ex, 200, Discovery.apiVersions(), List.of());
                return;
            }
            case "/apis" -> {
                sendJson(ex, 200, Discovery.groupList(), List.of());
                return;
            }
            default -> { }
        }
        if (path.startsWith("/openapi/v3/")) {
            OpenApi.Document doc = openApi.document(path.substring("/openapi/v3/".length()));
            if (doc == null) {
                throw ApiException.notFound("the server could not find the requested resource");
            }
            // As kube-apiserver: a request naming the document's hash may keep it for good.
            ex.getResponseHeaders().set("Cache-Control", ex.getRequestURI().getRawQuery() != null
                    && ex.getRequestURI().getRawQuery().contains("hash=" + doc.hash()) ? "public, immutable" : "no-cache, private");
            send(ex, 200, JSON, doc.body(), List.of());
            return;
        }
        String[] seg = splitPath(path);
        String group;
        String ver;
        int rest;
        if (seg.length >= 2 && seg[0].equals("api") && seg[1].equals("v1")) {
            group = "";
            ver = "v1";
            rest = 2;
        } else if (seg.length >= 3 && seg[0].equals("apis")) {
            group = seg[1];
            ver = seg[2];
            rest = 3;
        } else {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        if (seg.length == rest) {
            ObjectNode list = Discovery.resourceList(group, ver);
            if (list == null) {
                throw ApiException.notFound("the server could not find the requested resource");
            }
            sendJson(ex, 200, list, List.of());
            return;
        }
        if (group.isEmpty() && seg.length == 4 && seg[2].equals("namespaces") && ex.getRequestMethod().equals("GET")) {
            // Tide's namespaces are implicit: objects can be made in any, so every one exists. kubectl asks for the
            // namespace after a NotFound in it, to tell a missing namespace from a missing object.
            ObjectNode ns = Json.object();
            ns.put("apiVersion", "v1").put("kind", "Namespace");
            ns.putObject("metadata").put("name", seg[3]);
            ns.putObject("status").put("phase", "Active");
            sendJson(ex, 200, ns, List.of());
            return;
        }
        String namespace = null;
        int p = rest;
        if (seg[p].equals("namespaces") && seg.length >= p + 3) {
            namespace = seg[p + 1];
            p += 2;
        }
        String plural = seg[p];
        String name = seg.length > p + 1 ? seg[p + 1] : null;
        String sub = seg.length > p + 2 ? seg[p + 2] : null;
        ResourceType type = ResourceTypes.byPath(group, ver, plural)
                .orElseThrow(() -> ApiException.notFound("the server could not find the requested resource"));
        if (seg.length > p + 3 || (sub != null && !sub.equals(type == ResourceTypes.POD ? "log" : "status"))) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        Map<String, String> query = QueryString.parse(ex.getRequestURI().getRawQuery());
        if (type == ResourceTypes.POD) {
            pods(ex, namespace, name, sub, query);
            return;
        }
        String method = ex.getRequestMethod();
        if (type == ResourceTypes.EVENT && !method.equals("GET") && !method.equals("DELETE")) {
            throw ApiException.methodNotAllowed("events are recorded by Tide: they can be read, watched and deleted");
        }
        Registry.Options options = new Registry.Options(FieldValidation.parse(query.get("fieldValidation")), dryRun(query));
        if (name == null) {
            switch (method) {
                case "GET" -> {
                    if (isTrue(query.get("watch"))) {
                        String ns = namespace;
                        lists.watch(ex, type, () -> registry.list(type, ns), from -> registry.store().watch(type.groupResource(), ns,
                                from, k -> true), query);
                    } else {
                        lists.list(ex, type, registry.list(type, namespace), query);
                    }
                }
                case "POST" -> {
                    if (namespace == null) {
                        throw ApiException.methodNotAllowed("create needs a namespace in the URL");
                    }
                    Registry.Written w = registry.create(type, namespace, readObject(ex), options);
                    sendJson(ex, 201, w.object(), w.warnings());
                }
                default -> throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
            }
            return;
        }
        if (namespace == null) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        switch (method) {
            case "GET" -> {
                ObjectNode obj = registry.get(type, namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
                if (wantsTable(ex) && sub == null) {
                    sendJson(ex, 200, Tables.table(type, List.of(obj), Meta.resourceVersion(obj), clock.instant(), false), List.of());
                } else {
                    sendJson(ex, 200, obj, List.of());
                }
            }
            case "PUT" -> {
                ObjectNode body = readObject(ex);
                Registry.Written w = sub != null
                        ? new Registry.Written(options.dryRun() ? body : registry.updateStatus(type, body), List.of(), false)
                        : registry.update(type, namespace, name, body, emptyToNull(Meta.resourceVersion(body)), options);
                sendJson(ex, 200, w.object(), w.warnings());
            }
            case "PATCH" -> patch(ex, type, namespace, name, sub, options);
            case "DELETE" -> {
                ObjectNode deleted = options.dryRun() || deleteOptionsDryRun(ex)
                        ? registry.get(type, namespace, name).orElseThrow(() -> ApiException.notFound(type, name))
                        : registry.delete(type, namespace, name);
                ObjectNode status = Json.object();
                status.put("kind", "Status").put("apiVersion", "v1");
                status.putObject("metadata");
                status.put("status", "Success");
                status.putObject("details").put("name", name).put("group", type.group()).put("kind", type.plural())
                        .put("uid", Meta.uid(deleted));
                sendJson(ex, 200, status, List.of());
            }
            default -> throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
    }

    /**
     * Pods: Tide's view of the replicas ({@link PodView}). Read, watched, deleted and their {@code log} read; any write
     * is refused, as the replicas are the autoscaler's to make.
     */
    private void pods(HttpExchange ex, String namespace, String name, String sub, Map<String, String> query) throws IOException {
        PodView view = pods;
        String method = ex.getRequestMethod();
        if (view == null) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        if (!method.equals("GET") && !method.equals("DELETE")) {
            throw ApiException.methodNotAllowed("pods are Tide's view of a revision's replicas: the autoscaler makes them, "
                    + "they can be read, watched and deleted (the replica is replaced); change the Service to change them");
        }
        boolean dryRun = dryRun(query);
        ResourceType type = ResourceTypes.POD;
        if (name == null) {
            if (!method.equals("GET")) {
                throw ApiException.methodNotAllowed("delete pods one by one: kubectl delete pod NAME");
            }
            if (isTrue(query.get("watch"))) {
                lists.watch(ex, type, () -> view.list(namespace), from -> view.watch(namespace, from), query);
            } else {
                lists.list(ex, type, view.list(namespace), query);
            }
            return;
        }
        if (namespace == null) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        if ("log".equals(sub)) {
            PodLogs.send(ex, view, namespace, name, query, () -> closing);
            return;
        }
        if (method.equals("DELETE")) {
            sendJson(ex, 200, (dryRun || deleteOptionsDryRun(ex) ? view.get(namespace, name) : view.delete(namespace, name))
                    .orElseThrow(() -> ApiException.notFound(type, name)), List.of());
            return;
        }
        ObjectNode obj = view.get(namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
        sendJson(ex, 200, wantsTable(ex) ? Tables.table(type, List.of(obj), Meta.resourceVersion(obj), clock.instant(), false) : obj, List.of());
    }

    private void patch(HttpExchange ex, ResourceType type, String namespace, String name, String sub, Registry.Options options)
            throws IOException {
        String contentType = header(ex, "Content-Type");
        String mediaType = contentType.split(";")[0].trim();
        if (sub != null) {
            throw ApiException.methodNotAllowed("patching status is reserved to Tide's controllers");
        }
        switch (mediaType) {
            case "application/merge-patch+json", "application/strategic-merge-patch+json" -> {
                if (mediaType.startsWith("application/strategic") && !type.group().isEmpty()) {
                    // As for custom resources in Kubernetes: kubectl then falls back to a merge patch.
                    throw ApiException.unsupportedMediaType(contentType);
                }
                // For Secrets and ConfigMaps a strategic merge patch is a merge patch: none of their fields is a
                // list merged by key. Directives ($patch, $retainKeys, $setElementOrder) are dropped.
                ObjectNode patch = MergePatch.withoutDirectives(readObject(ex));
                ObjectNode current = registry.get(type, namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
                String expected = emptyToNull(Json.text(patch.get("metadata"), "resourceVersion"));
                ObjectNode patched = (ObjectNode) MergePatch.apply(current, patch);
                Registry.Written w = registry.update(type, namespace, name, patched, expected, options);
                sendJson(ex, 200, w.object(), w.warnings());
            }
            case "application/json-patch+json" -> {
                JsonNode ops = readJson(ex);
                Registry.Written w = jsonPatch(type, namespace, name, ops, options);
                sendJson(ex, 200, w.object(), w.warnings());
            }
            case "application/apply-patch+yaml" -> {
                // Server-side apply without field ownership: create when missing, else merge the applied
                // configuration into the live object.
                ObjectNode body = readObject(ex);
                var current = registry.get(type, namespace, name);
                if (current.isEmpty()) {
                    Meta.metadata(body).put("name", name);
                    Registry.Written w = registry.create(type, namespace, body, options);
                    sendJson(ex, 201, w.object(), w.warnings());
                } else {
                    ObjectNode patched = (ObjectNode) MergePatch.apply(current.get(), body);
                    Registry.Written w = registry.update(type, namespace, name, patched, null, options);
                    sendJson(ex, 200, w.object(), w.warnings());
                }
            }
            default -> throw ApiException.unsupportedMediaType(contentType);
        }
    }

    /**
     * Applies a JSON patch to the latest object and writes it on that version; when a controller wrote in between
     * (a status update), the patch is applied again to the newer object, as kube-apiserver retries a patch. A
     * {@code resourceVersion} the patch itself sets is a precondition, and its conflict is the caller's.
     */
    private Registry.Written jsonPatch(ResourceType type, String namespace, String name, JsonNode ops, Registry.Options options) {
        for (int attempt = 0; ; attempt++) {
            ObjectNode current = registry.get(type, namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
            JsonNode patched;
            try {
                patched = JsonPatch.apply(current, ops);
            } catch (JsonPatch.Failed e) {
                throw new ApiException(422, "Invalid", "the JSON patch cannot be applied: " + e.getMessage(), null);
            }
            if (!(patched instanceof ObjectNode obj)) {
                throw new ApiException(422, "Invalid", "the JSON patch leaves no object", null);
            }
            String expected = emptyToNull(Json.text(obj.get("metadata"), "resourceVersion"));
            boolean ownPrecondition = expected != null && !expected.equals(Meta.resourceVersion(current));
            try {
                return registry.update(type, namespace, name, obj, expected, options);
            } catch (ApiException e) {
                if (e.code() != 409 || ownPrecondition || attempt == 4) {
                    throw e;
                }
            }
        }
    }

    private static String[] splitPath(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        String[] seg = trimmed.split("/");
        for (int i = 0; i < seg.length; i++) {
            seg[i] = URLDecoder.decode(seg[i], StandardCharsets.UTF_8);
        }
        return seg;
    }

}
