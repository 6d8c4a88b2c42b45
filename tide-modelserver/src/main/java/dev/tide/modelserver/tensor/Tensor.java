package dev.tide.modelserver.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A named tensor in flat row-major form. Numeric datatypes keep their elements in a little-endian byte buffer (the
 * layout ONNX Runtime reads without a copy); {@code BYTES} keeps one byte string per element.
 *
 * @param shape dimensions; the first is the batch dimension for models that have one
 * @param data  the elements of a numeric tensor, position 0, limit = elements x size; null for BYTES
 * @param bytes the elements of a BYTES tensor; null otherwise
 */
public record Tensor(String name, Datatype datatype, long[] shape, ByteBuffer data, List<byte[]> bytes) {

    public Tensor {
        if ((datatype == Datatype.BYTES) != (bytes != null)) {
            throw new IllegalArgumentException("BYTES tensors carry byte strings, numeric tensors a buffer");
        }
    }

    public static Tensor numeric(String name, Datatype datatype, long[] shape, ByteBuffer data) {
        return new Tensor(name, datatype, shape, data.order(ByteOrder.LITTLE_ENDIAN), null);
    }

    public static Tensor strings(String name, long[] shape, List<byte[]> values) {
        return new Tensor(name, Datatype.BYTES, shape, null, values);
    }

    /** The number of elements the shape holds: [2, 3] holds 6. */
    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long elements() {
        return elements(shape);
    }

    /** The shape without its first (batch) dimension: [4, 128] gives [128]. */
    public long[] rowShape() {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    /** A copy with another name (a model output renamed for the response). */
    public Tensor named(String newName) {
        return new Tensor(newName, datatype, shape, data, bytes);
    }

    @Override
    public String toString() {
        return name + ":" + datatype + Arrays.toString(shape);
    }
}
