package dev.tide.modelserver.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.tide.modelserver.InferenceException;
import dev.tide.modelserver.model.Model;
import dev.tide.modelserver.model.OnnxModel;
import dev.tide.modelserver.tensor.Datatype;
import dev.tide.modelserver.tensor.Tensor;
import dev.tide.modelserver.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A sentence-embedding model: strings in, one vector per string out. Runs the directory's Hugging Face tokenizer, the
 * transformer, then the pooling the model config names. Its protocol face is one BYTES input {@code text} [-1] and one
 * FP32 output {@code embedding} [-1, hidden].
 */
public final class TextEmbeddingModel implements Model {

    public static final String INPUT = "text";
    public static final String OUTPUT = "embedding";

    private final OnnxModel transformer;
    private final HuggingFaceTokenizer tokenizer;
    private final Pooling pooling;
    private final boolean normalize;
    private final int hidden;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;

    public TextEmbeddingModel(OnnxModel transformer, HuggingFaceTokenizer tokenizer, Pooling pooling, boolean normalize) {
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.pooling = pooling;
        this.normalize = normalize;
        TensorSpec out = transformer.outputs().get(0);
        if (out.datatype() != Datatype.FP32) {
            throw new IllegalStateException("text model output " + out.name() + " is " + out.datatype() + "; FP32 expected");
        }
        long h = out.shape()[out.shape().length - 1];
        if (h <= 0) {
            throw new IllegalStateException("text model output " + out.name() + " has no fixed hidden size");
        }
        this.hidden = (int) h;
        this.inputs = List.of(new TensorSpec(INPUT, Datatype.BYTES, new long[] {-1}));
        this.outputs = List.of(new TensorSpec(OUTPUT, Datatype.FP32, new long[] {-1, hidden}));
    }

    @Override
    public String name() {
        return transformer.name();
    }

    @Override
    public String platform() {
        return transformer.platform();
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputs;
    }

    /** The embedding width. */
    public int hidden() {
        return hidden;
    }

    @Override
    public List<Tensor> infer(List<Tensor> in) {
        Tensor text = in.get(0);
        List<String> sentences = new ArrayList<>(text.bytes().size());
        for (byte[] b : text.bytes()) {
            sentences.add(new String(b, StandardCharsets.UTF_8));
        }
        return List.of(embed(sentences));
    }

    /** Embeds sentences: [n] strings give an FP32 tensor [n, hidden]. */
    public Tensor embed(List<String> sentences) {
        int batch = sentences.size();
        if (batch == 0) {
            return Tensor.numeric(OUTPUT, Datatype.FP32, new long[] {0, hidden}, ByteBuffer.allocate(0));
        }
        Encoding[] enc;
        try {
            enc = tokenizer.batchEncode(sentences);
        } catch (RuntimeException e) {
            throw InferenceException.badRequest("input " + INPUT + ": the tokenizer refused it: " + e.getMessage());
        }
        int tokens = 0;
        for (Encoding e : enc) {
            tokens = Math.max(tokens, e.getIds().length);
        }
        long[][] mask = new long[batch][tokens];
        List<Tensor> feed = new ArrayList<>(3);
        for (TensorSpec spec : transformer.inputs()) {
            ByteBuffer buf = ByteBuffer.allocateDirect(batch * tokens * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int b = 0; b < batch; b++) {
                long[] row = switch (spec.name()) {
                    case "input_ids" -> enc[b].getIds();
                    case "attention_mask" -> enc[b].getAttentionMask();
                    case "token_type_ids" -> enc[b].getTypeIds();
                    default -> throw new IllegalStateException("text model input " + spec.name()
                            + " is none of input_ids, attention_mask, token_type_ids");
                };
                // Shorter encodings are padded with zeros: id 0 is [PAD], and mask 0 keeps it out of the pooling.
                for (int t = 0; t < tokens; t++) {
                    buf.putLong(t < row.length ? row[t] : 0);
                }
                if (spec.name().equals("attention_mask")) {
                    System.arraycopy(row, 0, mask[b], 0, row.length);
                }
            }
            feed.add(Tensor.numeric(spec.name(), Datatype.INT64, new long[] {batch, tokens}, buf.flip()));
        }
        if (transformer.inputs().stream().noneMatch(s -> s.name().equals("attention_mask"))) {
            for (int b = 0; b < batch; b++) {
                java.util.Arrays.fill(mask[b], 0, enc[b].getIds().length, 1);
            }
        }
        Tensor states = transformer.infer(feed).get(0);
        FloatBuffer fb = states.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] flat = new float[fb.remaining()];
        fb.get(flat);
        float[][] pooled = pooling.pool(flat, batch, tokens, hidden, mask, normalize);
        ByteBuffer out = ByteBuffer.allocateDirect(batch * hidden * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer of = out.asFloatBuffer();
        for (float[] v : pooled) {
            of.put(v);
        }
        return Tensor.numeric(OUTPUT, Datatype.FP32, new long[] {batch, hidden}, out);
    }

    @Override
    public void close() {
        tokenizer.close();
        transformer.close();
    }
}
