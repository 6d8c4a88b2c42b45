package dev.tide.modelserver.tensor;

import ai.onnxruntime.OnnxJavaType;
import java.util.Locale;
import java.util.Optional;

/**
 * The Open Inference Protocol's tensor datatypes, with their size in bytes and the ONNX Runtime type that carries them.
 * {@code BYTES} is variable length (ONNX strings). ONNX Runtime's Java API has no unsigned 16, 32 or 64-bit tensors, so a
 * model with such an input or output is refused at load with a message saying so; requests may still name the types.
 */
public enum Datatype {
    BOOL(1, OnnxJavaType.BOOL),
    UINT8(1, OnnxJavaType.UINT8),
    UINT16(2, null),
    UINT32(4, null),
    UINT64(8, null),
    INT8(1, OnnxJavaType.INT8),
    INT16(2, OnnxJavaType.INT16),
    INT32(4, OnnxJavaType.INT32),
    INT64(8, OnnxJavaType.INT64),
    FP16(2, OnnxJavaType.FLOAT16),
    BF16(2, OnnxJavaType.BFLOAT16),
    FP32(4, OnnxJavaType.FLOAT),
    FP64(8, OnnxJavaType.DOUBLE),
    BYTES(-1, OnnxJavaType.STRING);

    private final int size;
    private final OnnxJavaType onnx;

    Datatype(int size, OnnxJavaType onnx) {
        this.size = size;
        this.onnx = onnx;
    }

    /** Bytes per element; -1 for {@link #BYTES}. */
    public int size() {
        return size;
    }

    /** The ONNX Runtime type, or null where its Java API has none (UINT16, UINT32, UINT64). */
    public OnnxJavaType onnx() {
        return onnx;
    }

    /** The protocol's name for an ONNX type, or empty when the protocol has none. */
    public static Optional<Datatype> of(OnnxJavaType type) {
        for (Datatype d : values()) {
            if (d.onnx != null && d.onnx == type) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** Parses a protocol datatype name, as written in a request ({@code "FP32"}); empty when unknown. */
    public static Optional<Datatype> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
