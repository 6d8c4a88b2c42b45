package dev.tide.modelserver.text;

import java.util.Locale;

/** How a sentence embedding is made from a transformer's per-token states. */
public enum Pooling {
    /** The average of the token states the attention mask keeps (sentence-transformers' default). */
    MEAN,
    /** The first token's state ([CLS]). */
    CLS,
    /** The model's output is already one vector per sentence. */
    NONE;

    public static Pooling parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    /**
     * Pools {@code states} [batch, tokens, hidden] into [batch, hidden].
     *
     * <p>Mean pooling, worked: hidden 2, tokens [a=(1,2), b=(3,4), pad=(9,9)], mask [1,1,0] gives ((1+3)/2, (2+4)/2) =
     * (2, 3); the padding token does not count.
     *
     * @param mask [batch, tokens], 1 for a real token
     */
    public float[][] pool(float[] states, int batch, int tokens, int hidden, long[][] mask, boolean normalize) {
        float[][] out = new float[batch][hidden];
        for (int b = 0; b < batch; b++) {
            float[] v = out[b];
            int base = b * tokens * hidden;
            switch (this) {
                case CLS -> System.arraycopy(states, base, v, 0, hidden);
                case NONE -> System.arraycopy(states, b * hidden, v, 0, hidden);
                case MEAN -> {
                    int kept = 0;
                    for (int t = 0; t < tokens; t++) {
                        if (mask[b][t] == 0) {
                            continue;
                        }
                        kept++;
                        int off = base + t * hidden;
                        for (int h = 0; h < hidden; h++) {
                            v[h] += states[off + h];
                        }
                    }
                    float div = Math.max(kept, 1);
                    for (int h = 0; h < hidden; h++) {
                        v[h] /= div;
                    }
                }
            }
            if (normalize) {
                double norm = 0;
                for (float x : v) {
                    norm += x * x;
                }
                // sentence-transformers' Normalize divides by max(norm, 1e-12), so a zero vector stays zero.
                float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
                for (int h = 0; h < hidden; h++) {
                    v[h] *= inv;
                }
            }
        }
        return out;
    }
}
