package dev.tide.common.template;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Values printed as Go's {@code fmt} prints them with {@code %v}, and Go's template escaping functions. */
public final class GoValues {

    /** A map looked up by key, printed as {@code map[k:v ...]} (HTTP headers: canonical name to values). */
    public interface Lookup {
        /** The value, or the map's zero value (an empty list for headers) when absent. */
        Object get(String key);

        /** Every entry, for printing the whole map. */
        Map<String, ?> entries();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private GoValues() {
    }

    /** {@code %v}: strings as they are, numbers as Go writes them, lists {@code [a b]}, maps {@code map[k:v]}. */
    public static void print(Object v, StringBuilder out) {
        switch (v) {
            case null -> out.append("<no value>");
            case String s -> out.append(s);
            case Double d -> out.append(goFloat(d));
            case Float f -> out.append(goFloat(f));
            case List<?> l -> {
                out.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        out.append(' ');
                    }
                    print(l.get(i), out);
                }
                out.append(']');
            }
            case Lookup m -> printMap(m.entries(), out);
            case Map<?, ?> m -> printMap(m, out);
            default -> out.append(v);
        }
    }

    private static void printMap(Map<?, ?> m, StringBuilder out) {
        out.append("map[");
        boolean first = true;
        for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
            if (!first) {
                out.append(' ');
            }
            first = false;
            print(e.getKey(), out);
            out.append(':');
            print(e.getValue(), out);
        }
        out.append(']');
    }

    /** Go's {@code fmt.Sprint}: operands printed one after another, a space between two that are not strings. */
    static String sprint(List<Object> args) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0 && !(args.get(i) instanceof String) && !(args.get(i - 1) instanceof String)) {
                b.append(' ');
            }
            print(args.get(i), b);
        }
        return b.toString();
    }

    /**
     * A float64 as Go's {@code %v} writes it: the shortest digits that read back the same value, in plain form unless
     * the decimal exponent is below -4 or at least 6 (Go's {@code 'g'} with shortest precision). Examples: 0.25 is
     * {@code 0.25}, 9.998150996 is {@code 9.998150996}, 0.00004 is {@code 4e-05}, 1234567 is {@code 1.234567e+06}.
     */
    public static String goFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        // Java's Double.toString gives the shortest round-tripping digits too (JDK 19+); only the layout differs.
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int exp = digits.length() - 1 - bd.scale();
        StringBuilder b = new StringBuilder(24);
        if (d < 0) {
            b.append('-');
        }
        if (exp < -4 || exp >= 6) {
            b.append(digits.charAt(0));
            if (digits.length() > 1) {
                b.append('.').append(digits, 1, digits.length());
            }
            b.append('e').append(exp < 0 ? '-' : '+');
            int e = Math.abs(exp);
            if (e < 10) {
                b.append('0');
            }
            b.append(e);
        } else if (exp < 0) {
            b.append("0.");
            b.append("0".repeat(-exp - 1)).append(digits);
        } else if (digits.length() <= exp + 1) {
            b.append(digits).append("0".repeat(exp + 1 - digits.length()));
        } else {
            b.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
        }
        return b.toString();
    }

    /**
     * Go's {@code template.JSEscapeString}: backslash, quotes, {@code < > & =} and control characters escaped so the
     * text is safe inside a JavaScript (and JSON) string. Example: {@code a"b<} becomes {@code a\"b\u003C}.
     */
    public static String jsEscape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            String rep = switch (cp) {
                case '\\' -> "\\\\";
                case '\'' -> "\\'";
                case '"' -> "\\\"";
                case '<' -> "\\u003C";
                case '>' -> "\\u003E";
                case '&' -> "\\u0026";
                case '=' -> "\\u003D";
                default -> cp < ' ' ? "\\u00" + HEX[cp >> 4] + HEX[cp & 0xF]
                        : cp >= 0x80 && !printable(cp) ? String.format("\\u%04X", cp) : null;
            };
            if (rep != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (rep != null) {
                    b.append(rep);
                } else {
                    b.appendCodePoint(cp);
                }
            }
            i += n;
        }
        return b == null ? s : b.toString();
    }

    /** Go's {@code unicode.IsPrint} for non-ASCII: letters, marks, numbers, punctuation, symbols; no spaces but U+0020. */
    private static boolean printable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.UNASSIGNED, Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE,
                 Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Go's {@code template.HTMLEscapeString}. */
    public static String htmlEscape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("&#34;");
                case '\'' -> b.append("&#39;");
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case 0 -> b.append('\uFFFD');
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Go's {@code url.QueryEscape}: unreserved bytes kept, space as {@code +}, the rest {@code %XX}. */
    public static String queryEscape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
                b.append((char) c);
            } else if (c == ' ') {
                b.append('+');
            } else {
                b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return b.toString();
    }
}
