package dev.tide.testing.onnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes small ONNX models for tests, in the protobuf wire format ONNX files use, so tests exercise ONNX Runtime on real
 * model files without a Python toolchain. A model is one node (Identity, Add, ...) over inputs of one element type.
 *
 * <p>Shapes are strings: a number is a fixed dimension, a name (for example {@code "N"}) a dynamic one.
 */
public final class OnnxModels {

    /** ONNX TensorProto.DataType codes. */
    public static final int FLOAT = 1, UINT8 = 2, INT8 = 3, INT16 = 5, INT32 = 6, INT64 = 7, STRING = 8, BOOL = 9,
            FLOAT16 = 10, DOUBLE = 11;

    private OnnxModels() {
    }

    /** A model computing {@code outputs = op(inputs)}, with every input and output of {@code elemType} and {@code shape}. */
    public static byte[] node(String op, List<String> inputs, List<String> outputs, int elemType, String... shape) {
        Proto node = new Proto();
        inputs.forEach(i -> node.string(1, i));
        outputs.forEach(o -> node.string(2, o));
        node.string(3, op.toLowerCase() + "_0").string(4, op);
        Proto graph = new Proto().message(1, node).string(2, "tide_test");
        inputs.forEach(i -> graph.message(11, valueInfo(i, elemType, shape)));
        outputs.forEach(o -> graph.message(12, valueInfo(o, elemType, shape)));
        return new Proto().varint(1, 8).string(2, "tide-testing").message(7, graph)
                .message(8, new Proto().string(1, "").varint(2, 13)).bytes();
    }

    /** Writes {@link #node} output to {@code dir/model.onnx} and returns the directory. */
    public static Path write(Path dir, byte[] model) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), model);
        return dir;
    }

    private static Proto valueInfo(String name, int elemType, String... shape) {
        Proto dims = new Proto();
        for (String d : shape) {
            Proto dim = new Proto();
            if (d.chars().allMatch(Character::isDigit)) {
                dim.varint(1, Long.parseLong(d));
            } else {
                dim.string(2, d);
            }
            dims.message(1, dim);
        }
        Proto tensor = new Proto().varint(1, elemType).message(2, dims);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
    }

    /** A protobuf message being written: varint and length-delimited fields only, which is all ONNX graphs need here. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long v) {
            key(field, 0);
            raw(v);
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytes(field, m.bytes());
        }

        private Proto bytes(int field, byte[] b) {
            key(field, 2);
            raw(b.length);
            out.writeBytes(b);
            return this;
        }

        private void key(int field, int wireType) {
            raw(((long) field << 3) | wireType);
        }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
