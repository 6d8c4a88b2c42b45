package dev.tide.modelserver.tensor;

import dev.tide.modelserver.InferenceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tensors in the raw form the v2 protocol's binary encodings share (gRPC's {@code raw_*_contents} and REST's binary
 * tensor data extension): flat little-endian elements in row-major order; BYTES elements each prefixed by a 4-byte
 * little-endian length, as Triton and KServe write them. Every count is checked, and errors name the tensor.
 */
public final class RawTensors {

    private RawTensors() {
    }

    /**
     * Decodes a raw tensor. Example: FP32 shape [2] is 8 bytes, {@code 00 00 80 3f 00 00 00 40} = [1.0, 2.0].
     *
     * @param raw   the tensor's bytes, from its position to its limit (not changed)
     * @param where how errors name the bytes, for example {@code raw contents}
     * @param what  how errors name the tensor, for example {@code input x}
     */
    public static Tensor decode(String name, Datatype dt, long[] shape, ByteBuffer raw, String where, String what) {
        long expected = Tensor.elements(shape);
        ByteBuffer in = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (dt == Datatype.BYTES) {
            List<byte[]> values = new ArrayList<>();
            while (in.hasRemaining()) {
                if (in.remaining() < 4) {
                    throw InferenceException.badRequest(what + ": raw BYTES element " + values.size()
                            + " is cut short; each element is a 4-byte little-endian length and that many bytes");
                }
                int len = in.getInt();
                if (len < 0 || len > in.remaining()) {
                    throw InferenceException.badRequest(what + ": raw BYTES element " + values.size() + " declares "
                            + Integer.toUnsignedString(len) + " bytes but " + in.remaining() + " remain");
                }
                byte[] v = new byte[len];
                in.get(v);
                values.add(v);
            }
            if (values.size() != expected) {
                throw InferenceException.badRequest(what + ": shape " + Arrays.toString(shape) + " holds " + expected
                        + " elements but " + where + " has " + values.size());
            }
            return Tensor.strings(name, shape, values);
        }
        long bytes = expected * dt.size();
        if (in.remaining() != bytes) {
            throw InferenceException.badRequest(what + ": shape " + Arrays.toString(shape) + " of " + dt + " takes " + bytes
                    + " bytes but the " + where + " hold " + in.remaining());
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(in.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(in);
        return Tensor.numeric(name, dt, shape, buf.flip());
    }

    /** A tensor's elements in raw form. */
    public static byte[] encode(Tensor t) {
        if (t.datatype() != Datatype.BYTES) {
            ByteBuffer d = t.data().duplicate();
            byte[] out = new byte[d.remaining()];
            d.get(out);
            return out;
        }
        int size = 0;
        for (byte[] b : t.bytes()) {
            size += 4 + b.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] b : t.bytes()) {
            out.putInt(b.length).put(b);
        }
        return out.array();
    }
}
