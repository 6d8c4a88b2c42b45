package dev.tide.controlplane.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON patch (RFC 6902), what {@code kubectl patch --type=json} sends: a list of {@code add}, {@code remove},
 * {@code replace}, {@code move}, {@code copy} and {@code test} operations on JSON pointers (RFC 6901, {@code ~1} for
 * {@code /} and {@code ~0} for {@code ~} in a key, {@code -} for past an array's end), applied in order, all or none.
 * Worked example: {@code [{"op":"replace","path":"/spec/template/metadata/annotations/autoscaling.knative.dev~1target","value":"5"}]}
 * sets one annotation.
 */
final class JsonPatch {

    /** A patch that cannot be applied: which operation, and why. */
    static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }

    private JsonPatch() {
    }

    /** {@code target} patched; {@code target} itself is left alone. */
    static JsonNode apply(JsonNode target, JsonNode patch) throws Failed {
        if (!(patch instanceof ArrayNode ops)) {
            throw new Failed("a JSON patch is a list of operations");
        }
        JsonNode doc = target.deepCopy();
        for (int i = 0; i < ops.size(); i++) {
            JsonNode op = ops.get(i);
            String name = op.path("op").asText("");
            String at = "operation " + i + " (" + (name.isEmpty() ? "no op" : name) + ")";
            if (!op.path("path").isTextual()) {
                throw new Failed(at + ": missing path");
            }
            List<String> path = pointer(op.get("path").asText(), at);
            switch (name) {
                case "add" -> doc = add(doc, path, value(op, at), at);
                case "remove" -> doc = remove(doc, path, at);
                case "replace" -> {
                    find(doc, path, at);
                    doc = add(remove(doc, path, at), path, value(op, at), at);
                }
                case "move", "copy" -> {
                    if (!op.path("from").isTextual()) {
                        throw new Failed(at + ": missing from");
                    }
                    List<String> from = pointer(op.get("from").asText(), at);
                    if (name.equals("move") && path.size() > from.size() && path.subList(0, from.size()).equals(from)) {
                        throw new Failed(at + ": cannot move a value into itself");
                    }
                    JsonNode v = find(doc, from, at).deepCopy();
                    if (name.equals("move")) {
                        doc = remove(doc, from, at);
                    }
                    doc = add(doc, path, v, at);
                }
                case "test" -> {
                    if (!find(doc, path, at).equals(value(op, at))) {
                        throw new Failed(at + ": the value at " + op.get("path").asText() + " is not the one tested");
                    }
                }
                default -> throw new Failed(at + ": unknown operation; one of add, remove, replace, move, copy, test");
            }
        }
        return doc;
    }

    private static JsonNode value(JsonNode op, String at) throws Failed {
        if (!op.has("value")) {
            throw new Failed(at + ": missing value");
        }
        return op.get("value").deepCopy();
    }

    private static List<String> pointer(String p, String at) throws Failed {
        if (p.isEmpty()) {
            return List.of();
        }
        if (!p.startsWith("/")) {
            throw new Failed(at + ": a path starts with /: " + p);
        }
        List<String> out = new ArrayList<>();
        for (String token : p.substring(1).split("/", -1)) {
            out.add(token.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    private static JsonNode find(JsonNode doc, List<String> path, String at) throws Failed {
        JsonNode n = doc;
        for (String token : path) {
            n = child(n, token, at);
        }
        return n;
    }

    private static JsonNode child(JsonNode n, String token, String at) throws Failed {
        if (n instanceof ObjectNode o && o.has(token)) {
            return o.get(token);
        }
        if (n instanceof ArrayNode a) {
            int i = index(a, token, at, false);
            return a.get(i);
        }
        throw new Failed(at + ": no " + token + " in the object");
    }

    private static int index(ArrayNode a, String token, String at, boolean forAdd) throws Failed {
        if (forAdd && token.equals("-")) {
            return a.size();
        }
        if (!token.matches("0|[1-9][0-9]{0,8}")) {
            throw new Failed(at + ": not an array index: " + token);
        }
        int i = Integer.parseInt(token);
        if (i > a.size() || (!forAdd && i == a.size())) {
            throw new Failed(at + ": index " + i + " is out of bounds (the array has " + a.size() + ")");
        }
        return i;
    }

    private static JsonNode add(JsonNode doc, List<String> path, JsonNode value, String at) throws Failed {
        if (path.isEmpty()) {
            return value;
        }
        JsonNode parent = find(doc, path.subList(0, path.size() - 1), at);
        String last = path.getLast();
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else if (parent instanceof ArrayNode a) {
            a.insert(index(a, last, at, true), value);
        } else {
            throw new Failed(at + ": the parent of " + last + " is neither an object nor an array");
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, List<String> path, String at) throws Failed {
        if (path.isEmpty()) {
            throw new Failed(at + ": cannot remove the whole object");
        }
        JsonNode parent = find(doc, path.subList(0, path.size() - 1), at);
        String last = path.getLast();
        if (parent instanceof ObjectNode o && o.has(last)) {
            o.remove(last);
        } else if (parent instanceof ArrayNode a) {
            a.remove(index(a, last, at, false));
        } else {
            throw new Failed(at + ": no " + last + " to remove");
        }
        return doc;
    }
}
