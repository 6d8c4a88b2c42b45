package dev.tide.modelserver.protocol;

import java.nio.charset.StandardCharsets;

/** A protocol answer: an HTTP status, a body and its content type (JSON unless said otherwise). */
public record Response(int status, byte[] body, String contentType) {

    public static final String JSON = "application/json";

    public Response(int status, byte[] body) {
        this(status, body, JSON);
    }

    public static Response json(int status, String body) {
        return new Response(status, body.getBytes(StandardCharsets.UTF_8));
    }
}
