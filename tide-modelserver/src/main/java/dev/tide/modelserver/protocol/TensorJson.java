package dev.tide.modelserver.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.modelserver.InferenceException;
import dev.tide.modelserver.tensor.Datatype;
import dev.tide.modelserver.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tensor elements to and from JSON: the {@code data} of a v2 tensor (flat or nested arrays, row-major) and the nested
 * rows of v1. Every value is checked against the datatype, and the message names the input and the element.
 */
public final class TensorJson {

    private TensorJson() {
    }

    /**
     * Decodes elements into a tensor of the given shape.
     *
     * @param what how errors name the tensor, for example {@code input "x"}
     */
    public static Tensor decode(String name, Datatype dt, long[] shape, JsonNode data, String what) {
        long expected = Tensor.elements(shape);
        if (dt == Datatype.BYTES) {
            List<byte[]> values = new ArrayList<>();
            flattenStrings(data, values, what);
            if (values.size() != expected) {
                throw countMismatch(what, shape, expected, values.size());
            }
            return Tensor.strings(name, shape, values);
        }
        if (expected > Integer.MAX_VALUE / Math.max(dt.size(), 1)) {
            throw InferenceException.badRequest(what + ": shape " + Arrays.toString(shape) + " is too large");
        }
        ByteBuffer buf = ByteBuffer.allocateDirect((int) expected * dt.size()).order(ByteOrder.LITTLE_ENDIAN);
        long[] count = {0};
        flattenNumbers(data, dt, buf, count, expected, what);
        if (count[0] != expected) {
            throw countMismatch(what, shape, expected, count[0]);
        }
        return Tensor.numeric(name, dt, shape, buf.flip());
    }

    private static InferenceException countMismatch(String what, long[] shape, long expected, long got) {
        return InferenceException.badRequest(what + ": shape " + Arrays.toString(shape) + " holds " + expected
                + " elements but data has " + got);
    }

    private static void flattenStrings(JsonNode n, List<byte[]> out, String what) {
        if (n.isArray()) {
            for (JsonNode e : n) {
                flattenStrings(e, out, what);
            }
        } else if (n.isTextual()) {
            out.add(n.textValue().getBytes(StandardCharsets.UTF_8));
        } else {
            throw InferenceException.badRequest(what + ": element " + out.size() + " is " + n.getNodeType().name().toLowerCase()
                    + ", BYTES elements are strings");
        }
    }

    private static void flattenNumbers(JsonNode n, Datatype dt, ByteBuffer buf, long[] count, long expected, String what) {
        if (n.isArray()) {
            for (JsonNode e : n) {
                flattenNumbers(e, dt, buf, count, expected, what);
            }
            return;
        }
        if (count[0] >= expected) {
            count[0]++; // keep counting for the message, write nothing
            return;
        }
        put(n, dt, buf, count[0], what);
        count[0]++;
    }

    private static void put(JsonNode n, Datatype dt, ByteBuffer buf, long index, String what) {
        if (dt == Datatype.BOOL) {
            if (!n.isBoolean()) {
                throw wrongValue(what, index, n, "true or false");
            }
            buf.put((byte) (n.booleanValue() ? 1 : 0));
            return;
        }
        if (!n.isNumber()) {
            throw wrongValue(what, index, n, "a number");
        }
        switch (dt) {
            case FP32 -> buf.putFloat(n.floatValue());
            case FP64 -> buf.putDouble(n.doubleValue());
            case FP16 -> buf.putShort(Float.floatToFloat16(n.floatValue()));
            case BF16 -> buf.putShort((short) (Float.floatToRawIntBits(n.floatValue()) >>> 16));
            default -> {
                if (!n.isIntegralNumber() && n.doubleValue() != Math.rint(n.doubleValue())) {
                    throw wrongValue(what, index, n, "an integer");
                }
                long v = n.isBigInteger() && dt == Datatype.UINT64 ? n.bigIntegerValue().longValue() : n.longValue();
                checkRange(dt, v, n, what, index);
                switch (dt) {
                    case INT8, UINT8 -> buf.put((byte) v);
                    case INT16, UINT16 -> buf.putShort((short) v);
                    case INT32, UINT32 -> buf.putInt((int) v);
                    default -> buf.putLong(v);
                }
            }
        }
    }

    private static void checkRange(Datatype dt, long v, JsonNode n, String what, long index) {
        long min;
        long max;
        switch (dt) {
            case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
            case UINT8 -> { min = 0; max = 255; }
            case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
            case UINT16 -> { min = 0; max = 65535; }
            case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
            case UINT32 -> { min = 0; max = 0xFFFFFFFFL; }
            case UINT64 -> {
                if (n.isBigInteger() ? n.bigIntegerValue().signum() < 0 || n.bigIntegerValue().bitLength() > 64 : v < 0) {
                    throw InferenceException.badRequest(what + ": element " + index + " (" + n + ") is out of range for UINT64");
                }
                return;
            }
            default -> {
                if (n.isBigInteger() && n.bigIntegerValue().bitLength() > 63) {
                    throw InferenceException.badRequest(what + ": element " + index + " (" + n + ") is out of range for " + dt);
                }
                return;
            }
        }
        if (v < min || v > max) {
            throw InferenceException.badRequest(what + ": element " + index + " (" + n + ") is out of range for " + dt
                    + " [" + min + ", " + max + "]");
        }
    }

    private static InferenceException wrongValue(String what, long index, JsonNode n, String expected) {
        String shown = n.toString();
        return InferenceException.badRequest(what + ": element " + index + " is " + (shown.length() > 40
                ? shown.substring(0, 40) + "..." : shown) + ", expected " + expected);
    }

    /** Writes elements {@code [from, to)} of a tensor as one flat JSON array. */
    public static void writeFlat(JsonGenerator g, Tensor t, long from, long to) throws IOException {
        g.writeStartArray();
        for (long i = from; i < to; i++) {
            writeElement(g, t, i);
        }
        g.writeEndArray();
    }

    /**
     * Writes elements starting at {@code offset} nested by {@code shape}: shape [2, 2] over 1, 2, 3, 4 writes
     * [[1, 2], [3, 4]]; an empty shape writes a scalar.
     */
    public static long writeNested(JsonGenerator g, Tensor t, long[] shape, int dim, long offset) throws IOException {
        if (dim == shape.length) {
            writeElement(g, t, offset);
            return offset + 1;
        }
        g.writeStartArray();
        for (long i = 0; i < shape[dim]; i++) {
            offset = writeNested(g, t, shape, dim + 1, offset);
        }
        g.writeEndArray();
        return offset;
    }

    private static void writeElement(JsonGenerator g, Tensor t, long i) throws IOException {
        ByteBuffer b = t.data();
        int at = (int) i * Math.max(t.datatype().size(), 0);
        switch (t.datatype()) {
            case BYTES -> {
                byte[] v = t.bytes().get((int) i);
                g.writeString(new String(v, StandardCharsets.UTF_8));
            }
            case BOOL -> g.writeBoolean(b.get(at) != 0);
            case INT8 -> g.writeNumber(b.get(at));
            case UINT8 -> g.writeNumber(b.get(at) & 0xFF);
            case INT16 -> g.writeNumber(b.getShort(at));
            case UINT16 -> g.writeNumber(b.getShort(at) & 0xFFFF);
            case INT32 -> g.writeNumber(b.getInt(at));
            case UINT32 -> g.writeNumber(b.getInt(at) & 0xFFFFFFFFL);
            case INT64 -> g.writeNumber(b.getLong(at));
            case UINT64 -> g.writeNumber(Long.toUnsignedString(b.getLong(at)));
            case FP16 -> g.writeNumber(Float.float16ToFloat(b.getShort(at)));
            case BF16 -> g.writeNumber(Float.intBitsToFloat((b.getShort(at) & 0xFFFF) << 16));
            case FP32 -> g.writeNumber(b.getFloat(at));
            case FP64 -> g.writeNumber(b.getDouble(at));
        }
    }

    /** The shape of nested JSON arrays: [[1, 2], [3, 4]] is [2, 2], a scalar is []. Ragged arrays are refused. */
    public static long[] shapeOf(JsonNode n, String what) {
        List<Long> dims = new ArrayList<>();
        JsonNode cur = n;
        while (cur.isArray()) {
            dims.add((long) cur.size());
            if (cur.isEmpty()) {
                break;
            }
            cur = cur.get(0);
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        checkRegular(n, shape, 0, what);
        return shape;
    }

    private static void checkRegular(JsonNode n, long[] shape, int dim, String what) {
        if (dim == shape.length) {
            if (n.isArray()) {
                throw InferenceException.badRequest(what + ": nested arrays are ragged (deeper than " + shape.length + " levels)");
            }
            return;
        }
        if (!n.isArray() || n.size() != shape[dim]) {
            throw InferenceException.badRequest(what + ": nested arrays are ragged: expected " + shape[dim]
                    + " elements at depth " + dim + ", found " + (n.isArray() ? n.size() : "a scalar"));
        }
        for (JsonNode e : n) {
            checkRegular(e, shape, dim + 1, what);
        }
    }
}
