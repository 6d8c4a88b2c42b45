package dev.tide.controlplane.apiserver.security;

import java.util.Optional;

/**
 * Whether an identity may do what a request asks: roles as Kubernetes' {@code admin} and {@code view} ClusterRoles,
 * bound cluster-wide or to one namespace. Pure.
 */
public final class Authorizer {

    private Authorizer() {
    }

    /** Paths anyone may reach without credentials, as kube-apiserver's {@code system:public-info-viewer}: health, version, and the dashboard's login. */
    public static boolean isPublic(String path) {
        return path.equals("/livez") || path.equals("/readyz") || path.equals("/healthz") || path.equals("/version")
                || path.equals(ApiGuard.LOGIN);
    }

    /** Non-resource paths every authenticated identity may read: discovery and the public ones. */
    private static boolean discovery(String path) {
        return path.equals("/api") || path.equals("/apis") || path.startsWith("/apis/") || path.startsWith("/api/")
                || path.startsWith("/openapi") || isPublic(path);
    }

    /** @return why not, in kube-apiserver's words, or empty when allowed */
    public static Optional<String> refusal(Identity who, RequestInfo req) {
        if (!req.isResource()) {
            if (discovery(req.path()) && req.readOnly() || req.path().equals(ApiGuard.LOGIN)) {
                return Optional.empty();
            }
            // The dashboard, metrics and scrape targets show every namespace; a stress test sends load.
            if (!who.clusterWide()) {
                return Optional.of(forbiddenPath(who, req));
            }
            if (who.role() == Role.VIEW && !req.readOnly()) {
                return Optional.of(forbiddenPath(who, req));
            }
            return Optional.empty();
        }
        if (!who.clusterWide() && !who.namespace().equals(req.namespace())) {
            return Optional.of(forbidden(who, req));
        }
        if (who.role() == Role.VIEW && (!req.readOnly() || req.resource().startsWith("secrets"))) {
            return Optional.of(forbidden(who, req));
        }
        return Optional.empty();
    }

    private static String forbidden(Identity who, RequestInfo req) {
        String plural = req.resource().contains("/") ? req.resource().substring(0, req.resource().indexOf('/')) : req.resource();
        String sub = req.resource().contains("/") ? req.resource().substring(req.resource().indexOf('/') + 1) : null;
        String what = (plural + (req.group().isEmpty() ? "" : "." + req.group())) + (req.name() != null ? " \"" + req.name() + "\"" : "");
        return what + " is forbidden: User \"" + who.user() + "\" cannot " + req.verb() + " resource \"" + plural + "\""
                + (sub != null ? " with subresource \"" + sub + "\"" : "")
                + " in API group \"" + req.group() + "\""
                + (req.namespace() != null ? " in the namespace \"" + req.namespace() + "\"" : " at the cluster scope");
    }

    private static String forbiddenPath(Identity who, RequestInfo req) {
        return "forbidden: User \"" + who.user() + "\" cannot " + req.verb() + " path \"" + req.path() + "\"";
    }
}
