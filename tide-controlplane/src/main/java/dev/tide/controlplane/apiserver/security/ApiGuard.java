package dev.tide.controlplane.apiserver.security;

import dev.tide.controlplane.registry.ApiException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The one gate in front of everything on the API port (the Kubernetes API, logs, metrics, the dashboard). Anyone who
 * can write to the API can run programs (a Service's {@code command}), so each request passes, in this order:
 *
 * <ol>
 *   <li><b>Authentication</b>: a bearer token from the token file or the one Tide generated; a wrong token is a 401
 *       everywhere, as in kube-apiserver. On the dashboard's paths, a session cookie from its login
 *       ({@link Sessions}). Without either, only a loopback-only API lets the request in (as
 *       {@link Identity#LOOPBACK}); an API reachable from other machines answers only health, version and the
 *       dashboard's login anonymously, and sends a browser asking for the dashboard to the login.</li>
 *   <li><b>Host</b> (anonymous requests): a loopback name or address, or a name the operator gave
 *       ({@code --api-host}). A DNS-rebinding page reaches 127.0.0.1 under the attacker's name, so its Host gives it
 *       away.</li>
 *   <li><b>Origin</b>: a request a browser sent from any page but Tide's own dashboard is refused.</li>
 *   <li><b>Content type</b> of writes: a Kubernetes type only (JSON, YAML, the patch types). A cross-site form or
 *       {@code text/plain} POST, which browsers send without a CORS preflight, never reaches a handler; protobuf is
 *       a 415, which makes client-go fall back to JSON.</li>
 *   <li><b>Authorization</b>: the identity's role ({@link Authorizer}).</li>
 * </ol>
 *
 * Pure: headers in, a decision out.
 *
 * @param anonymousLoopback whether requests without a token are let in (only ever for an API bound to loopback)
 * @param apiHosts          host names the operator added to the loopback names
 * @param tokens            the bearer tokens known
 * @param tls               whether the API is served over TLS (for the own-origin check)
 * @param sessions          the dashboard's browser sessions
 */
public record ApiGuard(boolean anonymousLoopback, Set<String> apiHosts, Tokens tokens, boolean tls, Sessions sessions) {

    /** The dashboard's login: reachable without credentials, the one place a form POST is read. */
    public static final String LOGIN = "/dashboard/login";

    public ApiGuard(boolean anonymousLoopback, Set<String> apiHosts, Tokens tokens, boolean tls) {
        this(anonymousLoopback, apiHosts, tokens, tls, Sessions.NONE);
    }

    /** The decision on one request. */
    public sealed interface Decision {
    }

    public record Allowed(Identity identity) implements Decision {
    }

    /** @param reason a Kubernetes Status reason ({@code Unauthorized}, {@code Forbidden}, {@code UnsupportedMediaType}) */
    public record Refused(int code, String reason, String message) implements Decision {
    }

    /** A person's browser sent elsewhere (303 See Other): the dashboard without credentials, to its login. */
    public record Redirect(String location) implements Decision {
    }

    /** The media types a write may carry: what kube-apiserver decodes, less protobuf (refused with 415 below). */
    public static final Set<String> WRITE_TYPES = Set.of("application/json", "application/yaml", "application/merge-patch+json",
            "application/strategic-merge-patch+json", "application/apply-patch+yaml", "application/json-patch+json");

    public ApiGuard {
        apiHosts = Set.copyOf(apiHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
    }

    /**
     * @param header a request header by name (case-insensitive), or {@code null}
     */
    public Decision check(String method, String rawPath, boolean watch, Function<String, String> header) {
        RequestInfo req = RequestInfo.of(method, rawPath, watch);
        Identity who;
        Optional<Identity> session;
        String authorization = header.apply("Authorization");
        if (authorization != null) {
            Optional<Identity> known = authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? tokens.authenticate(authorization.substring(7).strip()) : Optional.empty();
            if (known.isEmpty()) {
                return new Refused(401, "Unauthorized", "Unauthorized");
            }
            who = known.get();
        } else if (req.path().startsWith("/dashboard") && (session = session(header.apply("Cookie"))).isPresent()) {
            who = session.get();
        } else if (anonymousLoopback) {
            String host = header.apply("Host");
            if (!trustedHost(host)) {
                return new Refused(403, "Forbidden", "Host \"" + host + "\" is not a name this API answers to: use a loopback "
                        + "name or address (localhost, 127.0.0.1, [::1]), or start Tide with --api-host NAME");
            }
            who = Identity.LOOPBACK;
        } else if (Authorizer.isPublic(req.path())) {
            who = Identity.ANONYMOUS;
        } else if (req.verb().equals("get") && (req.path().equals("/dashboard") || req.path().equals("/dashboard/"))) {
            // A person opening the dashboard in a browser: to the login rather than a JSON 401.
            return new Redirect(LOGIN);
        } else {
            return new Refused(401, "Unauthorized", "Unauthorized");
        }
        String origin = header.apply("Origin");
        if (origin != null && !origin.equalsIgnoreCase((tls ? "https://" : "http://") + header.apply("Host"))) {
            return new Refused(403, "Forbidden", "cross-origin request from " + origin + " refused: Tide's API answers "
                    + "browsers only on its own dashboard's origin");
        }
        if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            String contentType = header.apply("Content-Type");
            String media = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            // Protobuf only for the core group (Secrets and ConfigMaps, which kubectl's typed commands send so); for
            // custom resources kube-apiserver answers 415 too.
            boolean protobuf = media.equals("application/vnd.kubernetes.protobuf") && "".equals(req.group());
            // The login's form: it reads nothing but a token, and its Origin was checked above.
            boolean loginForm = req.path().equals(LOGIN) && media.equals("application/x-www-form-urlencoded");
            if (!WRITE_TYPES.contains(media) && !protobuf && !loginForm) {
                return new Refused(415, "UnsupportedMediaType", ApiException.unsupportedMediaType(
                        contentType == null ? "no Content-Type" : contentType).getMessage());
            }
        }
        Optional<String> refusal = Authorizer.refusal(who, req);
        if (refusal.isPresent()) {
            return new Refused(403, "Forbidden", refusal.get());
        }
        return new Allowed(who);
    }

    /** The session named by the request's {@value Sessions#COOKIE} cookie, if it is live. */
    private Optional<Identity> session(String cookieHeader) {
        if (cookieHeader == null) {
            return Optional.empty();
        }
        for (String part : cookieHeader.split(";")) {
            String p = part.strip();
            if (p.startsWith(Sessions.COOKIE + "=")) {
                return sessions.identity(p.substring(Sessions.COOKIE.length() + 1));
            }
        }
        return Optional.empty();
    }

    /** A loopback name or address, or an operator-given name; the port, if any, is not looked at. */
    boolean trustedHost(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return false;
        }
        String h = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 && (h.substring(1, end).equals("::1") || apiHosts.contains(h.substring(0, end + 1)));
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.equals("localhost") || h.endsWith(".localhost") || loopbackV4(h) || apiHosts.contains(h);
    }

    /** 127.0.0.0/8 written as a dotted quad ({@code 127.0.0.1}, {@code 127.1.2.3}). */
    private static boolean loopbackV4(String h) {
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
