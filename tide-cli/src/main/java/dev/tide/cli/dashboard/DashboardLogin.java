package dev.tide.cli.dashboard;

import com.sun.net.httpserver.HttpExchange;
import dev.tide.cli.HttpReplies;
import dev.tide.cli.security.DashboardSessions;
import dev.tide.controlplane.apiserver.QueryString;
import dev.tide.controlplane.apiserver.security.Identity;
import dev.tide.controlplane.apiserver.security.Sessions;
import dev.tide.controlplane.apiserver.security.Tokens;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code /dashboard/login}: a browser cannot send a bearer token, so a person pastes one (the kubeconfig's, or a token
 * file's) into a form once and gets a session cookie for the dashboard: {@code HttpOnly} (no script reads it),
 * {@code SameSite=Strict} (no other site's page sends it), {@code Secure} over TLS, {@code Path=/dashboard}, for
 * {@link DashboardSessions#TTL}. The token is read from the form's body, never from the URL, where it would stay in
 * history and logs.
 */
public final class DashboardLogin {

    /** More than any token; a bigger form is refused before it is read whole. */
    private static final int MAX_FORM = 4096;

    private final Tokens tokens;
    private final DashboardSessions sessions;
    private final boolean secure;

    /** @param secure whether the API is served over TLS (the cookie is then {@code Secure}) */
    public DashboardLogin(Tokens tokens, DashboardSessions sessions, boolean secure) {
        this.tokens = tokens;
        this.sessions = sessions;
        this.secure = secure;
    }

    void handle(HttpExchange ex) throws IOException {
        if (ex.getRequestMethod().equals("GET")) {
            page(ex, 200, "");
            return;
        }
        if (!ex.getRequestMethod().equals("POST")) {
            HttpReplies.text(ex, 405, "GET the login form or POST it");
            return;
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_FORM + 1);
        }
        if (body.length > MAX_FORM) {
            HttpReplies.text(ex, 413, "the login form is larger than " + MAX_FORM + " bytes");
            return;
        }
        String token = QueryString.parse(new String(body, StandardCharsets.US_ASCII)).getOrDefault("token", "").strip();
        Optional<Identity> who = tokens.authenticate(token);
        if (who.isEmpty()) {
            page(ex, 401, "That token is not one this Tide knows.");
            return;
        }
        Optional<String> id = sessions.create(who.get());
        if (id.isEmpty()) {
            page(ex, 503, "Too many dashboard sessions are open; try again later.");
            return;
        }
        ex.getResponseHeaders().add("Set-Cookie", Sessions.COOKIE + "=" + id.get() + "; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age="
                + DashboardSessions.TTL.toSeconds() + (secure ? "; Secure" : ""));
        ex.getResponseHeaders().set("Location", "/dashboard/");
        ex.sendResponseHeaders(303, -1);
    }

    private static void page(HttpExchange ex, int status, String problem) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Frame-Options", "DENY");
        ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
        String html = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Tide dashboard: log in</title>
                <style>body{font:15px system-ui,sans-serif;margin:4em auto;max-width:32em;color:#10324a}
                input{box-sizing:border-box;width:100%%;font:inherit;padding:.4em;margin:.5em 0}p.problem{color:#a01818}</style></head>
                <body><h1>Tide dashboard</h1>
                <p>This Tide needs a token. Paste the one in its kubeconfig (<code>users[0].user.token</code>, also in
                <code>DATA/admin-token</code>) or one from its token file.</p>
                <p class="problem">%s</p>
                <form method="post" action="/dashboard/login"><input type="password" name="token" autocomplete="off" autofocus>
                <input type="submit" value="Open the dashboard"></form></body></html>
                """.formatted(problem);
        HttpReplies.send(ex, status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }
}
