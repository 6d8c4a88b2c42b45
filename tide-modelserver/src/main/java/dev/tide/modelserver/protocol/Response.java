package dev.tide.modelserver.protocol;

import java.nio.charset.StandardCharsets;

/** A protocol answer: an HTTP status and a JSON body. */
public record Response(int status, byte[] body) {

    public static Response json(int status, String body) {
        return new Response(status, body.getBytes(StandardCharsets.UTF_8));
    }

    /** KServe's error body: {@code {"error": "..."}}. */
    public static Response error(int status, String message) {
        StringBuilder sb = new StringBuilder("{\"error\":\"");
        for (char c : message.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return json(status, sb.append("\"}").toString());
    }
}
