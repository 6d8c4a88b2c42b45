package dev.tide.common.text;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Parses and prints durations in Go's {@code time.ParseDuration} syntax, which is what Knative's
 * ConfigMaps and annotations use: {@code "60s"}, {@code "5m"}, {@code "2m3s"}, {@code "61984ms"},
 * {@code "1.5h"} and the bare {@code "0"}.
 */
public final class GoDuration {

    private GoDuration() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the text when it is not a Go duration
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("duration: null");
        }
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(text);
        }
        BigDecimal totalNanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(text);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long unitNanos = unitNanos(s.substring(unitStart, i), text);
            totalNanos = totalNanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos)));
        }
        if (totalNanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("time: invalid duration \"" + text + "\" (overflow)");
        }
        long nanos = totalNanos.longValue();
        return Duration.ofNanos(negative ? -nanos : nanos);
    }

    private static long unitNanos(String unit, String text) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "\u00b5s", "\u03bcs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "" -> throw new IllegalArgumentException("time: missing unit in duration \"" + text + "\"");
            default -> throw new IllegalArgumentException("time: unknown unit \"" + unit + "\" in duration \"" + text + "\"");
        };
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("time: invalid duration \"" + text + "\"");
    }

    /**
     * Prints {@code d} as Go's {@code Duration.String()} does: {@code 1h0m0s}, {@code 1m30s}, {@code 6s},
     * {@code 1.5s}, {@code 250ms}, {@code 0s}.
     */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long abs = Math.abs(nanos);
        if (abs < 1_000_000_000L) {
            if (abs % 1_000_000 == 0) {
                return sign + abs / 1_000_000 + "ms";
            }
            if (abs % 1_000 == 0) {
                return sign + abs / 1_000 + "\u00b5s";
            }
            return sign + abs + "ns";
        }
        long hours = abs / 3_600_000_000_000L;
        long minutes = abs / 60_000_000_000L % 60;
        long secNanos = abs % 60_000_000_000L;
        String seconds = BigDecimal.valueOf(secNanos, 9).stripTrailingZeros().toPlainString() + "s";
        if (hours > 0) {
            return sign + hours + "h" + minutes + "m" + seconds;
        }
        if (minutes > 0) {
            return sign + minutes + "m" + seconds;
        }
        return sign + seconds;
    }
}
