package dev.tide.modelserver.tensor;

import dev.tide.modelserver.InferenceException;
import java.util.Arrays;

/**
 * What a model declares about one input or output: its name, datatype and shape, with -1 for a dimension of any size.
 */
public record TensorSpec(String name, Datatype datatype, long[] shape) {

    @Override
    public String toString() {
        return name + ":" + datatype + Arrays.toString(shape);
    }

    /** Whether the first dimension is dynamic, so that requests can be stacked along it. */
    public boolean batched() {
        return shape.length > 0 && shape[0] < 0;
    }

    /**
     * Checks a request tensor against this spec: same datatype, same rank, and every fixed dimension equal.
     *
     * @throws InferenceException 400 naming the input and the rule
     */
    public void check(Tensor t) {
        if (t.datatype() != datatype) {
            throw InferenceException.badRequest("input " + name + ": datatype " + t.datatype() + " does not match the model's "
                    + datatype);
        }
        if (t.shape().length != shape.length) {
            throw InferenceException.badRequest("input " + name + ": shape " + Arrays.toString(t.shape()) + " has rank "
                    + t.shape().length + ", the model expects rank " + shape.length + " " + Arrays.toString(shape));
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && t.shape()[i] != shape[i]) {
                throw InferenceException.badRequest("input " + name + ": shape " + Arrays.toString(t.shape())
                        + " does not match the model's " + Arrays.toString(shape) + " at dimension " + i);
            }
            if (t.shape()[i] < 0) {
                throw InferenceException.badRequest("input " + name + ": shape " + Arrays.toString(t.shape())
                        + " has a negative dimension");
            }
        }
    }
}
