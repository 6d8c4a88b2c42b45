package dev.tide.controlplane.apiserver.security;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * What a request asks to do, read from its method and path as kube-apiserver's request-info resolver reads it, so
 * that authorization looks at one typed record instead of at URLs.
 *
 * <ul>
 *   <li>{@code GET /apis/serving.knative.dev/v1/namespaces/default/services/hello}: verb {@code get}, resource
 *       {@code services}, namespace {@code default}, name {@code hello};</li>
 *   <li>{@code GET /api/v1/secrets?watch=true}: verb {@code watch}, every namespace;</li>
 *   <li>{@code GET /logs/v1/namespaces/ns/revisions/r}: Tide's log endpoint, verb {@code get}, resource
 *       {@code revisions/log} in {@code ns};</li>
 *   <li>anything else ({@code /version}, {@code /metrics}, {@code /dashboard/...}): a non-resource request whose
 *       verb is the lower-case method.</li>
 * </ul>
 *
 * @param verb      get, list, watch, create, update, patch, delete (resource requests), or the lower-case method
 * @param group     the API group ({@code ""} for the core group), or {@code null} for a non-resource request
 * @param resource  the plural, with {@code /subresource} when there is one, or {@code null}
 * @param namespace or {@code null} when the request spans namespaces (or is not namespaced)
 * @param name      or {@code null}
 * @param path      the decoded path
 */
public record RequestInfo(String verb, String group, String resource, String namespace, String name, String path) {

    public boolean isResource() {
        return resource != null;
    }

    public boolean readOnly() {
        return switch (verb) {
            case "get", "list", "watch", "head", "options" -> true;
            default -> false;
        };
    }

    /**
     * @param rawPath the path as sent (still percent-encoded)
     * @param watch   whether the query asks for a watch ({@code watch=true} or {@code watch=1})
     */
    public static RequestInfo of(String method, String rawPath, boolean watch) {
        String path = URLDecoder.decode(rawPath, StandardCharsets.UTF_8);
        String m = method.toLowerCase(java.util.Locale.ROOT);
        String[] seg = (path.startsWith("/") ? path.substring(1) : path).split("/");
        int rest;
        String group;
        if (seg.length >= 2 && seg[0].equals("api")) {
            group = "";
            rest = 2;
        } else if (seg.length >= 3 && seg[0].equals("apis")) {
            group = seg[1];
            rest = 3;
        } else if (seg.length >= 5 && seg[0].equals("logs") && seg[2].equals("namespaces")) {
            return new RequestInfo(m.equals("head") ? "get" : m, "serving.knative.dev", "revisions/log", seg[3],
                    seg.length > 5 ? seg[5] : null, path);
        } else {
            return new RequestInfo(m, null, null, null, null, path);
        }
        if (seg.length == rest) {
            return new RequestInfo(m, null, null, null, null, path);
        }
        int p = rest;
        String namespace = null;
        if (seg[p].equals("namespaces") && seg.length >= p + 3) {
            namespace = seg[p + 1];
            p += 2;
        } else if (seg[p].equals("namespaces")) {
            // namespaces or namespaces/NAME: the Namespace objects themselves.
            namespace = seg.length > p + 1 ? seg[p + 1] : null;
            return new RequestInfo(verb(m, seg.length > p + 1, watch), "", "namespaces", namespace, namespace, path);
        }
        String resource = seg[p];
        String name = seg.length > p + 1 ? seg[p + 1] : null;
        if (seg.length > p + 2) {
            resource = resource + "/" + seg[p + 2];
        }
        return new RequestInfo(verb(m, name != null, watch), group, resource, namespace, name, path);
    }

    private static String verb(String method, boolean named, boolean watch) {
        return switch (method) {
            case "get", "head" -> watch ? "watch" : named ? "get" : "list";
            case "post" -> "create";
            case "put" -> "update";
            case "patch" -> "patch";
            case "delete" -> named ? "delete" : "deletecollection";
            default -> method;
        };
    }
}
