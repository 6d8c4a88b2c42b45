package dev.tide.common.text;

import java.nio.charset.StandardCharsets;

/** gRPC's text rules over HTTP/2 (gRPC's PROTOCOL-HTTP2.md), for whoever writes gRPC's headers. Pure. */
public final class GrpcText {

    private GrpcText() {
    }

    private static final String GRPC = "application/grpc";

    /**
     * Whether a request's {@code content-type} is gRPC's: {@code application/grpc}, alone or with a subtype. Read per
     * request on the ingress, so it compares in place, whatever the header's CharSequence, without a copy.
     */
    public static boolean isGrpc(CharSequence contentType) {
        if (contentType == null || contentType.length() < GRPC.length()) {
            return false;
        }
        for (int i = 0; i < GRPC.length(); i++) {
            if (Character.toLowerCase(contentType.charAt(i)) != GRPC.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code grpc-message}: UTF-8, with bytes outside printable ASCII and {@code %} itself written as {@code %XX}.
     * Worked example: {@code "100% ünlü"} becomes {@code "100%25 %C3%BCnl%C3%BC"}.
     */
    public static String percentEncode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(bytes.length);
        for (byte x : bytes) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '%') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }
}
