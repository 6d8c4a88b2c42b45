package dev.tide.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

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
        try (JsonParser parser = Json.YAML.getFactory().createParser(text);
             MappingIterator<JsonNode> docs = Json.YAML.readValues(parser, JsonNode.class)) {
            int index = 0;
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                index++;
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
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith(source)) {
                throw iae;
            }
            String message = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
                    ? jpe.getOriginalMessage() + (jpe.getLocation() == null ? "" : " (line " + jpe.getLocation().getLineNr() + ")")
                    : e.getMessage();
            throw new IllegalArgumentException(source + ": not valid YAML: " + message, e);
        }
        return out;
    }
}
