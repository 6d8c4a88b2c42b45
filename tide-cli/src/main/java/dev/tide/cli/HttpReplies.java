package dev.tide.cli;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Whole answers for the handlers Tide adds to its API port (metrics, logs, the dashboard). */
public final class HttpReplies {

    private HttpReplies() {
    }

    /** Sends {@code body} with its type; a HEAD request gets the headers only. */
    public static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            ex.getResponseBody().write(body);
        }
    }

    /** A plain-text answer, one line. */
    public static void text(HttpExchange ex, int status, String line) throws IOException {
        send(ex, status, "text/plain; charset=utf-8", (line + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
