package dev.tide.common.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The subset of Go's {@code text/template} that Knative request-log templates use, rendering byte for byte as Go does:
 * text, actions {@code {{ }}} with trim markers {@code {{- -}}}, field chains ({@code .Request.Method}), string, number and
 * boolean literals, pipes ({@code .X | js}), and the functions {@code js}, {@code html}, {@code urlquery},
 * {@code print}, {@code len} and {@code index}. Values print as Go's {@code fmt} prints them ({@link GoValues}).
 *
 * <p>Fields are checked when the template is parsed against the fields the caller declares, so a typo is an error at
 * configuration time, not a broken log line later.
 *
 * <p>Example: {@code "{{.Request.Method}} {{js .Request.RequestURI}}"} over method GET and URI {@code /a?b="c"} renders
 * {@code GET /a?b\u003D\"c\"}.
 */
public final class GoTemplate {

    /** Resolves a field chain, {@code ["Request", "Method"]}, to its value: String, Long, Double, Boolean, List, Map. */
    @FunctionalInterface
    public interface Data {
        Object field(String[] path);
    }

    private sealed interface Node permits Text, Action {
    }

    private record Text(String text) implements Node {
    }

    /** A pipeline: each command's result is the last argument of the next. */
    private record Action(List<Command> commands) implements Node {
    }

    /** A function call, or a single operand when {@code function} is null. */
    private record Command(String function, List<Operand> args) {
    }

    private sealed interface Operand permits Field, Literal {
    }

    private record Field(String[] path) implements Operand {
    }

    private record Literal(Object value) implements Operand {
    }

    private static final Set<String> FUNCTIONS = Set.of("js", "html", "urlquery", "print", "len", "index");

    private final List<Node> nodes;

    private GoTemplate(List<Node> nodes) {
        this.nodes = nodes;
    }

    /**
     * Parses a template.
     *
     * @param fields the field chains the data has ({@code "Request.Method"})
     * @throws IllegalArgumentException naming the position and the problem, as Go's parser does
     */
    public static GoTemplate parse(String template, Set<String> fields) {
        List<Node> nodes = new ArrayList<>();
        int i = 0;
        StringBuilder text = new StringBuilder();
        while (i < template.length()) {
            int open = template.indexOf("{{", i);
            if (open < 0) {
                text.append(template, i, template.length());
                break;
            }
            text.append(template, i, open);
            int start = open + 2;
            if (template.startsWith("- ", start) || template.startsWith("-\t", start) || template.startsWith("-\n", start)) {
                trimRight(text);
                start += 1;
            }
            int close = findClose(template, start);
            if (close < 0) {
                throw error(template, open, "unclosed action");
            }
            int end = close;
            boolean trimAfter = false;
            if (end - 2 >= start && template.charAt(end - 1) == '-' && Character.isWhitespace(template.charAt(end - 2))) {
                trimAfter = true;
                end -= 1;
            }
            if (!text.isEmpty()) {
                nodes.add(new Text(text.toString()));
                text.setLength(0);
            }
            String body = template.substring(start, end).strip();
            if (!body.startsWith("/*")) {
                nodes.add(action(template, open, body, fields));
            }
            i = close + 2;
            if (trimAfter) {
                while (i < template.length() && Character.isWhitespace(template.charAt(i))) {
                    i++;
                }
            }
        }
        if (!text.isEmpty()) {
            nodes.add(new Text(text.toString()));
        }
        return new GoTemplate(List.copyOf(nodes));
    }

    /** The end of an action: the first {@code }}} outside a quoted string. */
    private static int findClose(String t, int from) {
        char quote = 0;
        for (int i = from; i < t.length(); i++) {
            char c = t.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if ((c == '"' || c == '`') && (i == from || t.charAt(i - 1) != '\\')) {
                quote = c; // a quote right after a backslash is a syntax error for the action's parser to report
            } else if (c == '}' && i + 1 < t.length() && t.charAt(i + 1) == '}') {
                return i;
            }
        }
        return -1;
    }

    private static void trimRight(StringBuilder b) {
        int n = b.length();
        while (n > 0 && Character.isWhitespace(b.charAt(n - 1))) {
            n--;
        }
        b.setLength(n);
    }

    private static Action action(String template, int at, String body, Set<String> fields) {
        List<List<String>> commands = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '|') {
                if (current.isEmpty()) {
                    throw error(template, at, "missing command before |");
                }
                commands.add(current);
                current = new ArrayList<>();
                i++;
            } else if (c == '"' || c == '`') {
                int j = i + 1;
                while (j < body.length() && body.charAt(j) != c) {
                    j += c == '"' && body.charAt(j) == '\\' ? 2 : 1;
                }
                if (j >= body.length()) {
                    throw error(template, at, "unterminated quoted string");
                }
                current.add(body.substring(i, j + 1));
                i = j + 1;
            } else if (c == '.' || Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                int j = i;
                while (j < body.length() && (Character.isLetterOrDigit(body.charAt(j)) || "._-+".indexOf(body.charAt(j)) >= 0)) {
                    j++;
                }
                current.add(body.substring(i, j));
                i = j;
            } else {
                throw error(template, at, "unexpected \"" + c + "\" in command");
            }
        }
        if (current.isEmpty()) {
            throw error(template, at, commands.isEmpty() ? "missing value for command" : "missing command after |");
        }
        commands.add(current);
        List<Command> out = new ArrayList<>();
        for (List<String> words : commands) {
            String head = words.get(0);
            if (FUNCTIONS.contains(head)) {
                List<Operand> args = new ArrayList<>();
                for (String w : words.subList(1, words.size())) {
                    args.add(operand(template, at, w, fields));
                }
                out.add(new Command(head, List.copyOf(args)));
            } else if (words.size() == 1) {
                out.add(new Command(null, List.of(operand(template, at, head, fields))));
            } else if (Character.isLetter(head.charAt(0)) && !head.equals("true") && !head.equals("false")) {
                throw error(template, at, "function \"" + head + "\" not defined; Tide's templates have " + FUNCTIONS.stream().sorted().toList());
            } else {
                throw error(template, at, "can't give argument to non-function " + head);
            }
        }
        return new Action(List.copyOf(out));
    }

    private static Operand operand(String template, int at, String w, Set<String> fields) {
        if (w.startsWith("\"")) {
            return new Literal(unquote(template, at, w));
        }
        if (w.startsWith("`")) {
            return new Literal(w.substring(1, w.length() - 1));
        }
        if (w.equals("true") || w.equals("false")) {
            return new Literal(Boolean.parseBoolean(w));
        }
        if (w.startsWith(".")) {
            String chain = w.substring(1);
            if (!chain.isEmpty() && !fields.contains(chain)) {
                throw error(template, at, "can't evaluate field " + w + "; the fields are ." + String.join(", .", fields.stream().sorted().toList()));
            }
            return new Field(chain.isEmpty() ? new String[0] : chain.split("\\."));
        }
        try {
            return new Literal(w.contains(".") || w.contains("e") ? (Object) Double.parseDouble(w) : (Object) Long.parseLong(w));
        } catch (NumberFormatException e) {
            if (FUNCTIONS.contains(w)) {
                throw error(template, at, "wrong number of args for " + w);
            }
            throw error(template, at, "function \"" + w + "\" not defined");
        }
    }

    /** A Go interpreted string literal: {@code "a\"b\n"}. */
    private static String unquote(String template, int at, String q) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < q.length() - 1; i++) {
            char c = q.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = q.charAt(++i);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case '\\' -> b.append('\\');
                case '"' -> b.append('"');
                case '\'' -> b.append('\'');
                case 'u' -> {
                    b.append((char) Integer.parseInt(q.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw error(template, at, "invalid syntax: unknown escape \\" + e);
            }
        }
        return b.toString();
    }

    private static IllegalArgumentException error(String template, int at, String message) {
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (template.charAt(i) == '\n') {
                line++;
            }
        }
        return new IllegalArgumentException("template: " + line + ": " + message + " (at column " + (at + 1) + ")");
    }

    /** Renders over the data into {@code out}. */
    public void render(Data data, StringBuilder out) {
        for (Node n : nodes) {
            switch (n) {
                case Text t -> out.append(t.text());
                case Action a -> GoValues.print(pipeline(a, data), out);
            }
        }
    }

    public String render(Data data) {
        StringBuilder b = new StringBuilder(256);
        render(data, b);
        return b.toString();
    }

    private static Object pipeline(Action a, Data data) {
        Object previous = null;
        boolean first = true;
        for (Command c : a.commands()) {
            List<Object> args = new ArrayList<>(c.args().size() + 1);
            for (Operand o : c.args()) {
                args.add(switch (o) {
                    case Field f -> data.field(f.path());
                    case Literal l -> l.value();
                });
            }
            if (!first) {
                args.add(previous);
            }
            first = false;
            previous = c.function() == null ? args.getLast() : call(c.function(), args);
        }
        return previous;
    }

    private static Object call(String function, List<Object> args) {
        return switch (function) {
            case "js" -> GoValues.jsEscape(GoValues.sprint(args));
            case "html" -> GoValues.htmlEscape(GoValues.sprint(args));
            case "urlquery" -> GoValues.queryEscape(GoValues.sprint(args));
            case "print" -> GoValues.sprint(args);
            case "len" -> switch (args.isEmpty() ? null : args.getFirst()) {
                case String s -> (long) s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                case List<?> l -> (long) l.size();
                case Map<?, ?> m -> (long) m.size();
                case null, default -> 0L;
            };
            default -> index(args);
        };
    }

    /** {@code index X k1 k2}: a map's value (the zero value, an empty list, when absent) or a list's element. */
    private static Object index(List<Object> args) {
        Object v = args.isEmpty() ? null : args.getFirst();
        for (Object k : args.subList(Math.min(1, args.size()), args.size())) {
            if (v instanceof GoValues.Lookup m) {
                v = m.get(String.valueOf(k));
            } else if (v instanceof Map<?, ?> m) {
                v = m.get(String.valueOf(k));
            } else if (v instanceof List<?> l && k instanceof Long n && n >= 0 && n < l.size()) {
                v = l.get(n.intValue());
            } else {
                return "";
            }
        }
        return v;
    }
}
