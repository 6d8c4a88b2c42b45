package dev.tide.modelserver;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.modelserver.model.ModelLoader;
import dev.tide.modelserver.tensor.Tensor;
import dev.tide.modelserver.text.TextEmbeddingModel;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tokenizer, transformer and pooling of the sample model against reference vectors. The references
 * ({@code minilm-reference.json}) were computed once with an independent implementation, langchain4j's
 * AllMiniLmL6V2EmbeddingModel on the same model file, and committed.
 */
class TextEmbeddingTest {

    static final Path MODEL = Path.of("..", "examples", "models", "all-minilm-l6-v2");
    private static TextEmbeddingModel model;

    @BeforeAll
    static void load() throws Exception {
        assertThat(MODEL.resolve("model.onnx")).as("the build unpacks the sample model (generate-test-resources)").exists();
        model = (TextEmbeddingModel) new ModelLoader(OrtEnvironment.getEnvironment(), new ObjectMapper())
                .load("minilm", MODEL, new OrtSession.SessionOptions());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void embeddingsMatchTheReferenceVectors() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(Files.readString(Path.of("src/test/resources/minilm-reference.json")));
        List<String> texts = new ArrayList<>();
        ref.path("vectors").forEach(v -> texts.add(v.path("text").asText()));
        // All at once: a padded batch must give what each sentence gives alone.
        float[][] batch = vectors(model.embed(texts));
        for (int i = 0; i < texts.size(); i++) {
            float[] expected = new float[384];
            JsonNode e = ref.path("vectors").get(i).path("embedding");
            for (int j = 0; j < 384; j++) {
                expected[j] = (float) e.get(j).asDouble();
            }
            float[] alone = vectors(model.embed(List.of(texts.get(i))))[0];
            assertThat(cosine(batch[i], expected)).as(texts.get(i)).isGreaterThanOrEqualTo(0.999);
            assertThat(cosine(alone, expected)).as(texts.get(i)).isGreaterThanOrEqualTo(0.999);
            assertThat(norm(alone)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
        // And different sentences are not the same vector.
        assertThat(cosine(batch[0], batch[3])).isLessThan(0.5);
    }

    static float[][] vectors(Tensor t) {
        int n = (int) t.shape()[0];
        int h = (int) t.shape()[1];
        FloatBuffer fb = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[][] out = new float[n][h];
        for (float[] row : out) {
            fb.get(row);
        }
        return out;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot / (norm(a) * norm(b));
    }

    static double norm(float[] a) {
        double s = 0;
        for (float x : a) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
