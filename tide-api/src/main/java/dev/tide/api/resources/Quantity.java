package dev.tide.api.resources;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes' resource quantity ({@code 500m}, {@code 2}, {@code 64Mi}, {@code 1.5G}, {@code 1e3}) as a plain number:
 * cores for CPU, bytes for memory. Worked examples: {@code 250m} is 0.25, {@code 64Mi} is 67,108,864, {@code 1G} is
 * 1,000,000,000, {@code 2e3} is 2,000.
 */
public final class Quantity {

    private static final Pattern FORM = Pattern.compile("([+-]?(?:\\d+\\.?\\d*|\\.\\d+))([eE][+-]?\\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?");
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("n", new BigDecimal("1e-9")), Map.entry("u", new BigDecimal("1e-6")), Map.entry("m", new BigDecimal("1e-3")),
            Map.entry("k", new BigDecimal("1e3")), Map.entry("M", new BigDecimal("1e6")), Map.entry("G", new BigDecimal("1e9")),
            Map.entry("T", new BigDecimal("1e12")), Map.entry("P", new BigDecimal("1e15")), Map.entry("E", new BigDecimal("1e18")),
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)), Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)), Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
            Map.entry("Pi", BigDecimal.valueOf(1L << 50)), Map.entry("Ei", BigDecimal.valueOf(1L << 60)));

    private Quantity() {
    }

    /** The quantity's value, or empty when the text is not a quantity. */
    public static Optional<Double> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        BigDecimal number = new BigDecimal(m.group(1));
        String suffix = m.group(2);
        if (suffix == null) {
            return Optional.of(number.doubleValue());
        }
        if (suffix.matches("[eE][+-]?\\d+")) {
            return Optional.of(number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1))).doubleValue());
        }
        return Optional.of(number.multiply(SUFFIXES.get(suffix)).doubleValue());
    }
}
