package dev.tide.modelserver.http;

/** gRPC's {@code grpc-timeout} header (gRPC's PROTOCOL-HTTP2.md). Pure. */
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
}
