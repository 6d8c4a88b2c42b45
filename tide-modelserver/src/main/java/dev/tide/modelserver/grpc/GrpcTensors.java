package dev.tide.modelserver.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.tide.modelserver.InferenceException;
import dev.tide.modelserver.grpc.v2.InferTensorContents;
import dev.tide.modelserver.tensor.Datatype;
import dev.tide.modelserver.tensor.RawTensors;
import dev.tide.modelserver.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tensors to and from the gRPC protocol's two forms: typed {@code contents} (one repeated field per datatype family)
 * and {@code raw_*_contents} (flat little-endian bytes; BYTES elements each prefixed by a 4-byte little-endian length,
 * as Triton and KServe write them). Every count and range is checked, and errors name the input.
 */
public final class GrpcTensors {

    private GrpcTensors() {
    }

    /** Decodes a raw tensor ({@link RawTensors#decode}). */
    public static Tensor fromRaw(String name, Datatype dt, long[] shape, ByteString raw, String what) {
        return RawTensors.decode(name, dt, shape, raw.asReadOnlyByteBuffer(), "raw contents", what);
    }

    /** Decodes a tensor from the typed field its datatype uses (FP32 from {@code fp32_contents}, INT8 from {@code int_contents}). */
    public static Tensor fromContents(String name, Datatype dt, long[] shape, InferTensorContents c, String what) {
        long expected = Tensor.elements(shape);
        if (dt == Datatype.BYTES) {
            if (c.getBytesContentsCount() != expected) {
                throw countMismatch(what, shape, expected, c.getBytesContentsCount(), "contents.bytes_contents");
            }
            List<byte[]> values = new ArrayList<>(c.getBytesContentsCount());
            for (ByteString b : c.getBytesContentsList()) {
                values.add(b.toByteArray());
            }
            return Tensor.strings(name, shape, values);
        }
        if (dt == Datatype.FP16 || dt == Datatype.BF16) {
            throw InferenceException.badRequest(what + ": " + dt + " has no typed contents field; send it in raw_input_contents");
        }
        String field = field(dt);
        int count = switch (dt) {
            case BOOL -> c.getBoolContentsCount();
            case INT8, INT16, INT32 -> c.getIntContentsCount();
            case INT64 -> c.getInt64ContentsCount();
            case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
            case UINT64 -> c.getUint64ContentsCount();
            case FP32 -> c.getFp32ContentsCount();
            default -> c.getFp64ContentsCount();
        };
        if (count != expected) {
            throw countMismatch(what, shape, expected, count, "contents." + field);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(count * dt.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            switch (dt) {
                case BOOL -> buf.put((byte) (c.getBoolContents(i) ? 1 : 0));
                case INT8 -> buf.put((byte) inRange(c.getIntContents(i), Byte.MIN_VALUE, Byte.MAX_VALUE, dt, i, what));
                case INT16 -> buf.putShort((short) inRange(c.getIntContents(i), Short.MIN_VALUE, Short.MAX_VALUE, dt, i, what));
                case INT32 -> buf.putInt(c.getIntContents(i));
                case INT64 -> buf.putLong(c.getInt64Contents(i));
                // uint32 arrives in a Java int; read it unsigned before checking the range.
                case UINT8 -> buf.put((byte) inRange(Integer.toUnsignedLong(c.getUintContents(i)), 0, 255, dt, i, what));
                case UINT16 -> buf.putShort((short) inRange(Integer.toUnsignedLong(c.getUintContents(i)), 0, 65535, dt, i, what));
                case UINT32 -> buf.putInt(c.getUintContents(i));
                case UINT64 -> buf.putLong(c.getUint64Contents(i));
                case FP32 -> buf.putFloat(c.getFp32Contents(i));
                default -> buf.putDouble(c.getFp64Contents(i));
            }
        }
        return Tensor.numeric(name, dt, shape, buf.flip());
    }

    /** A tensor's elements in raw form ({@link RawTensors#encode}). */
    public static ByteString toRaw(Tensor t) {
        return UnsafeByteOperations.unsafeWrap(RawTensors.encode(t)); // a fresh array nothing else holds
    }

    /**
     * A tensor's elements in typed form. FP16 and BF16 have no typed field and travel raw; the caller answers in raw
     * form when any output is one of them.
     */
    public static InferTensorContents toContents(Tensor t) {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        if (t.datatype() == Datatype.BYTES) {
            for (byte[] b : t.bytes()) {
                c.addBytesContents(ByteString.copyFrom(b));
            }
            return c.build();
        }
        ByteBuffer in = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) t.elements();
        for (int i = 0; i < n; i++) {
            switch (t.datatype()) {
                case BOOL -> c.addBoolContents(in.get() != 0);
                case INT8 -> c.addIntContents(in.get());
                case INT16 -> c.addIntContents(in.getShort());
                case INT32 -> c.addIntContents(in.getInt());
                case INT64 -> c.addInt64Contents(in.getLong());
                case UINT8 -> c.addUintContents(Byte.toUnsignedInt(in.get()));
                case UINT16 -> c.addUintContents(Short.toUnsignedInt(in.getShort()));
                case UINT32 -> c.addUintContents(in.getInt());
                case UINT64 -> c.addUint64Contents(in.getLong());
                case FP32 -> c.addFp32Contents(in.getFloat());
                case FP64 -> c.addFp64Contents(in.getDouble());
                default -> throw new IllegalArgumentException(t.datatype() + " travels in raw form only");
            }
        }
        return c.build();
    }

    /** Whether a datatype can only travel raw. */
    public static boolean rawOnly(Datatype dt) {
        return dt == Datatype.FP16 || dt == Datatype.BF16;
    }

    private static String field(Datatype dt) {
        return switch (dt) {
            case BOOL -> "bool_contents";
            case INT8, INT16, INT32 -> "int_contents";
            case INT64 -> "int64_contents";
            case UINT8, UINT16, UINT32 -> "uint_contents";
            case UINT64 -> "uint64_contents";
            case FP32 -> "fp32_contents";
            case FP64 -> "fp64_contents";
            default -> "bytes_contents";
        };
    }

    private static long inRange(long v, long min, long max, Datatype dt, int index, String what) {
        if (v < min || v > max) {
            throw InferenceException.badRequest(what + ": element " + index + " (" + v + ") is out of range for " + dt
                    + " [" + min + ", " + max + "]");
        }
        return v;
    }

    private static InferenceException countMismatch(String what, long[] shape, long expected, long got, String where) {
        return InferenceException.badRequest(what + ": shape " + Arrays.toString(shape) + " holds " + expected
                + " elements but " + where + " has " + got);
    }
}
