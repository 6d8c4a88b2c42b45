package dev.tide.modelserver.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Stacks tensors along their first dimension and splits them back: the two halves of dynamic batching. */
public final class Batches {

    private Batches() {
    }

    /** Whether two tensors can be stacked: same name, datatype and row shape. */
    public static boolean stackable(Tensor a, Tensor b) {
        return a.name().equals(b.name()) && a.datatype() == b.datatype() && a.shape().length > 0
                && Arrays.equals(a.rowShape(), b.rowShape());
    }

    /** Stacks tensors of the same row shape: [2, 4] and [3, 4] give [5, 4]. */
    public static Tensor concat(List<Tensor> parts) {
        Tensor first = parts.get(0);
        if (parts.size() == 1) {
            return first;
        }
        long rows = 0;
        for (Tensor t : parts) {
            rows += t.shape()[0];
        }
        long[] shape = first.shape().clone();
        shape[0] = rows;
        if (first.datatype() == Datatype.BYTES) {
            List<byte[]> all = new ArrayList<>();
            parts.forEach(t -> all.addAll(t.bytes()));
            return Tensor.strings(first.name(), shape, all);
        }
        int total = 0;
        for (Tensor t : parts) {
            total += t.data().remaining();
        }
        ByteBuffer out = ByteBuffer.allocateDirect(total).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : parts) {
            out.put(t.data().duplicate());
        }
        return Tensor.numeric(first.name(), first.datatype(), shape, out.flip());
    }

    /**
     * Splits a batched output back into per-request parts: an output [5, 384] and row counts [2, 3] give [2, 384] and
     * [3, 384]. The parts are views on the output's buffer.
     */
    public static List<Tensor> split(Tensor batched, long[] rows) {
        List<Tensor> out = new ArrayList<>(rows.length);
        if (rows.length == 1) {
            out.add(batched);
            return out;
        }
        long rowElements = Tensor.elements(batched.rowShape());
        long start = 0;
        for (long r : rows) {
            long[] shape = batched.shape().clone();
            shape[0] = r;
            if (batched.datatype() == Datatype.BYTES) {
                out.add(Tensor.strings(batched.name(), shape,
                        batched.bytes().subList((int) (start * rowElements), (int) ((start + r) * rowElements))));
            } else {
                int size = batched.datatype().size();
                ByteBuffer slice = batched.data().duplicate();
                slice.position((int) (start * rowElements * size)).limit((int) ((start + r) * rowElements * size));
                out.add(Tensor.numeric(batched.name(), batched.datatype(), shape, slice.slice()));
            }
            start += r;
        }
        return out;
    }
}
