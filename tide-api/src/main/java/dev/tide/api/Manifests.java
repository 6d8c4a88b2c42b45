package dev.tide.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/** Splits YAML or JSON text into manifests (multi-document YAML, or a {@code kind: List}). */
public final class Manifests {

    private Manifests() {
    }

    /**
     * Parses every document in {@code text}. Empty documents are skipped; a {@code List} is flattened into its items.
     *
     * @param source names the text in errors, e.g. a file path
     * @throws IllegalArgumentException naming the source and the line when the text is not YAML
     */
    public static List<ObjectNode> parse(String text, String source) {
        List<ObjectNode> out = new ArrayList<>();
        try {
            int index = 0;
            for (Object loaded : yaml().loadAll(text)) {
                index++;
                JsonNode doc = loaded == null ? null : Json.MAPPER.valueToTree(loaded);
                if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) {
                    continue;
                }
                if (!(doc instanceof ObjectNode o)) {
                    throw new IllegalArgumentException(source + ": document " + index + " is not a mapping");
                }
                if ("List".equals(Json.text(o, "kind")) && o.get("items") != null && o.get("items").isArray()) {
                    for (JsonNode item : o.get("items")) {
                        if (item instanceof ObjectNode io) {
                            out.add(io);
                        }
                    }
                } else {
                    out.add(o);
                }
            }
        } catch (MarkedYAMLException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getProblem()
                    + (e.getProblemMark() == null ? "" : " (line " + (e.getProblemMark().getLine() + 1) + ")"), e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * SnakeYAML as Kubernetes' YAML reading behaves: aliases resolved (at most {@value #MAX_ALIASES} per document, so a
     * "billion laughs" document is refused instead of expanded), duplicate keys refused, and timestamps left as text
     * ({@code creationTimestamp: 2026-01-01T00:00:00Z} is a string in JSON). Plain data only: no tags that build objects.
     */
    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(100);
        DumperOptions dumper = new DumperOptions();
        return new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options, new NoTimestamps());
    }

    static final int MAX_ALIASES = 50;

    /** YAML 1.1's implicit types less timestamps. */
    private static final class NoTimestamps extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, BOOL, "yYnNtTfFoO");
            addImplicitResolver(Tag.INT, INT, "-+0123456789");
            addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
            addImplicitResolver(Tag.MERGE, MERGE, "<");
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }
}
