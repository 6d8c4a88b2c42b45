package dev.tide.modelserver.batch;

import dev.tide.modelserver.tensor.Tensor;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs checked inputs through the model, one request at a time or merged with others. */
public interface InferenceEngine extends AutoCloseable {

    /**
     * @param inputs one tensor per model input, in the model's input order, checked against its metadata
     * @return every model output, in the model's output order; completes exceptionally with an
     *         {@link dev.tide.modelserver.InferenceException} when the run fails
     */
    CompletableFuture<List<Tensor>> submit(List<Tensor> inputs);

    /** Stops taking requests once those already submitted are answered. */
    @Override
    void close();
}
