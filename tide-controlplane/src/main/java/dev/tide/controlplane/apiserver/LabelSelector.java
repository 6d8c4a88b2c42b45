package dev.tide.controlplane.apiserver;

import dev.tide.api.naming.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A {@code labelSelector} as Kubernetes parses it (apimachinery's {@code labels.Parse}): comma-separated
 * requirements, each {@code key}, {@code !key}, {@code key=v}, {@code key==v}, {@code key!=v},
 * {@code key in (a,b)}, {@code key notin (a,b)}, {@code key>N} or {@code key<N}. Anything else is an error naming the
 * requirement, never a selector that matches everything. Pure.
 */
final class LabelSelector {

    private static final Pattern SET = Pattern.compile("\\s*(\\S+)\\s+(in|notin)\\s*\\((.*)\\)\\s*");

    private LabelSelector() {
    }

    /**
     * @param selector as sent, or {@code null}
     * @throws IllegalArgumentException naming the requirement that does not parse
     */
    static Predicate<Map<String, String>> parse(String selector) {
        Predicate<Map<String, String>> p = labels -> true;
        if (selector == null || selector.isBlank()) {
            return p;
        }
        for (String term : split(selector)) {
            p = p.and(requirement(term.strip(), selector));
        }
        return p;
    }

    /** Splits on commas outside parentheses: {@code a in (x,y),b} is two requirements. */
    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static Predicate<Map<String, String>> requirement(String term, String selector) {
        var set = SET.matcher(term);
        if (set.matches()) {
            String key = key(set.group(1), term, selector);
            List<String> values = new ArrayList<>();
            for (String v : set.group(3).split(",", -1)) {
                values.add(value(v.strip(), term, selector));
            }
            Set<String> in = Set.copyOf(values);
            return set.group(2).equals("in") ? labels -> in.contains(labels.get(key))
                    : labels -> !labels.containsKey(key) || !in.contains(labels.get(key));
        }
        for (String op : List.of("!=", "==", "=", ">", "<")) {
            int at = term.indexOf(op);
            if (at > 0) {
                String key = key(term.substring(0, at).strip(), term, selector);
                String v = term.substring(at + op.length()).strip();
                return switch (op) {
                    case "!=" -> {
                        String val = value(v, term, selector);
                        yield labels -> !val.equals(labels.get(key));
                    }
                    case ">", "<" -> {
                        long n = number(v, term, selector);
                        yield labels -> {
                            try {
                                long have = Long.parseLong(labels.getOrDefault(key, ""));
                                return op.equals(">") ? have > n : have < n;
                            } catch (NumberFormatException e) {
                                return false;
                            }
                        };
                    }
                    default -> {
                        String val = value(v, term, selector);
                        yield labels -> val.equals(labels.get(key));
                    }
                };
            }
        }
        if (term.startsWith("!")) {
            String key = key(term.substring(1).strip(), term, selector);
            return labels -> !labels.containsKey(key);
        }
        String key = key(term, term, selector);
        return labels -> labels.containsKey(key);
    }

    private static String key(String k, String term, String selector) {
        if (!Names.isQualifiedName(k)) {
            throw bad(selector, "invalid label key \"" + k + "\" in \"" + term + "\"");
        }
        return k;
    }

    private static String value(String v, String term, String selector) {
        if (!Names.isLabelValue(v)) {
            throw bad(selector, "invalid label value \"" + v + "\" in \"" + term + "\"");
        }
        return v;
    }

    private static long number(String v, String term, String selector) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(selector, "for '>' and '<' the value must be an integer, got \"" + v + "\" in \"" + term + "\"");
        }
    }

    private static IllegalArgumentException bad(String selector, String why) {
        return new IllegalArgumentException("unable to parse requirement: " + why + " (labelSelector \"" + selector + "\")");
    }
}
