package dev.tide.modelserver.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.modelserver.text.TextEmbeddingModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Turns a model directory into a served {@link Model}: plain tensors, or a text model when it holds a tokenizer. */
public final class ModelLoader {

    private final OrtEnvironment env;
    private final ObjectMapper json;

    public ModelLoader(OrtEnvironment env, ObjectMapper json) {
        this.env = env;
        this.json = json;
    }

    public Model load(String name, Path dir, OrtSession.SessionOptions options) throws IOException {
        ModelConfig config = ModelConfig.read(dir, json);
        OnnxModel onnx = OnnxModel.load(name, dir.resolve(config.model()), env, options);
        if (config.tokenizer() == null) {
            return onnx;
        }
        // Truncation to maxLength keeps a long text within the model's position embeddings; padding is done by
        // TextEmbeddingModel so that a batch pads to its own longest sentence.
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir.resolve(config.tokenizer()), Map.of(
                "padding", "false", "truncation", "true", "maxLength", Integer.toString(config.maxLength())));
        return new TextEmbeddingModel(onnx, tokenizer, config.pooling(), config.normalize());
    }
}
