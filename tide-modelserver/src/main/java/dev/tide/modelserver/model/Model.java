package dev.tide.modelserver.model;

import dev.tide.modelserver.tensor.Tensor;
import dev.tide.modelserver.tensor.TensorSpec;
import java.util.List;

/**
 * A loaded model: its metadata in the Open Inference Protocol's terms and a synchronous inference. Implementations are
 * safe for concurrent calls (ONNX Runtime sessions are).
 */
public interface Model extends AutoCloseable {

    String name();

    /** The runtime that runs it, as v2 metadata's {@code platform} (for example {@code onnxruntime_onnx}). */
    String platform();

    List<TensorSpec> inputs();

    List<TensorSpec> outputs();

    /**
     * Runs the model. The inputs have been checked against {@link #inputs()}; the result holds every output, in the
     * order of {@link #outputs()}.
     */
    List<Tensor> infer(List<Tensor> inputs);

    /** Whether every input has a dynamic first dimension, so requests can be stacked into one run. */
    default boolean batchable() {
        return inputs().stream().allMatch(TensorSpec::batched) && outputs().stream().allMatch(TensorSpec::batched);
    }

    @Override
    void close();
}
