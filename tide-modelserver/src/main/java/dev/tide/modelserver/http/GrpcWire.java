package dev.tide.modelserver.http;

import java.nio.charset.StandardCharsets;

/** Two header formats of gRPC over HTTP/2 (gRPC's PROTOCOL-HTTP2.md). Pure. */
final class GrpcWire {

    private GrpcWire() {
    }

    /**
     * {@code grpc-timeout}: at most 8 digits and a unit, {@code H M S m u n}; {@code -1} if malformed. Worked example:
     * {@code "250m"} is 250 ms, 250,000,000 ns; {@code "1H"} is 3,600 s.
     */
    static long timeoutNanos(String value) {
        int n = value.length();
        if (n < 2 || n > 9) {
            return -1;
        }
        long amount = 0;
        for (int i = 0; i < n - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            amount = amount * 10 + (c - '0');
        }
        long unit = switch (value.charAt(n - 1)) {
            case 'H' -> 3_600_000_000_000L;
            case 'M' -> 60_000_000_000L;
            case 'S' -> 1_000_000_000L;
            case 'm' -> 1_000_000L;
            case 'u' -> 1_000L;
            case 'n' -> 1L;
            default -> -1L;
        };
        // 99,999,999 hours fits in a long of nanoseconds only up to about 2,562 hours; longer is as good as none.
        return unit < 0 ? -1 : amount > Long.MAX_VALUE / unit ? Long.MAX_VALUE : amount * unit;
    }

    /**
     * {@code grpc-message}: UTF-8, with bytes outside printable ASCII and {@code %} itself written as {@code %XX}.
     * Worked example: {@code "100% ünlü"} becomes {@code "100%25 %C3%BCnl%C3%BC"}.
     */
    static String percentEncode(String message) {
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
