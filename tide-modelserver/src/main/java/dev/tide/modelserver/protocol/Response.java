package dev.tide.modelserver.protocol;

import java.nio.charset.StandardCharsets;

/** A protocol answer: an HTTP status and a JSON body. */
public record Response(int status, byte[] body) {

    public static Response json(int status, String body) {
        return new Response(status, body.getBytes(StandardCharsets.UTF_8));
    }
}
