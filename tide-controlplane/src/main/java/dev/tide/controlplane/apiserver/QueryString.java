package dev.tide.controlplane.apiserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** A URL's query, decoded (for the API and the handlers beside it): {@code a=1&b=x%20y&c} is {@code {a=1, b=x y, c=}}; the first of a repeated key wins. */
public final class QueryString {

    private QueryString() {
    }

    /** @param raw the raw (still encoded) query, or null */
    public static Map<String, String> parse(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.putIfAbsent(k, v);
        }
        return q;
    }
}
