package dev.tide.modelserver.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.modelserver.text.Pooling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Tide's model config, {@code tide-model.json} in a model directory. Every field is optional; a directory without the
 * file is served with the defaults below.
 *
 * <pre>{@code
 * {"model": "model.onnx", "tokenizer": "tokenizer.json", "pooling": "mean", "normalize": true, "maxLength": 256}
 * }</pre>
 *
 * @param model     the ONNX file; default {@code model.onnx}, else the directory's only {@code .onnx} file
 * @param tokenizer a Hugging Face {@code tokenizer.json}; when present (default: {@code tokenizer.json} if the file
 *                  exists) the model is a text model that takes strings
 * @param pooling   how token states become a sentence vector; default MEAN
 * @param normalize L2-normalise the vectors; default true (sentence-transformers' Normalize layer)
 * @param maxLength tokens per sentence after truncation; default 256 (all-MiniLM-L6-v2's max_seq_length)
 */
public record ModelConfig(String model, String tokenizer, Pooling pooling, boolean normalize, int maxLength) {

    public static final String FILE = "tide-model.json";

    public static ModelConfig read(Path dir, ObjectMapper json) throws IOException {
        Path file = dir.resolve(FILE);
        JsonNode n = Files.exists(file) ? json.readTree(file.toFile()) : json.createObjectNode();
        String model = Optional.ofNullable(n.path("model").textValue()).orElseGet(() -> defaultModel(dir));
        String tokenizer = Optional.ofNullable(n.path("tokenizer").textValue())
                .orElse(Files.exists(dir.resolve("tokenizer.json")) ? "tokenizer.json" : null);
        Pooling pooling = n.hasNonNull("pooling") ? Pooling.parse(n.get("pooling").asText()) : Pooling.MEAN;
        return new ModelConfig(model, tokenizer, pooling, n.path("normalize").asBoolean(true), n.path("maxLength").asInt(256));
    }

    private static String defaultModel(Path dir) {
        if (Files.exists(dir.resolve("model.onnx"))) {
            return "model.onnx";
        }
        try (var files = Files.list(dir)) {
            var onnx = files.filter(p -> p.getFileName().toString().endsWith(".onnx")).toList();
            if (onnx.size() == 1) {
                return onnx.get(0).getFileName().toString();
            }
            throw new IOException(onnx.isEmpty() ? "no .onnx file in " + dir
                    : "several .onnx files in " + dir + "; name one as \"model\" in " + FILE);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
