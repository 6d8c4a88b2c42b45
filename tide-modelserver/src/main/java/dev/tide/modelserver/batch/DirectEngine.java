package dev.tide.modelserver.batch;

import dev.tide.modelserver.model.Model;
import dev.tide.modelserver.tensor.Tensor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** One model run per request, on a pool of inference threads. */
public final class DirectEngine implements InferenceEngine {

    private final Model model;
    private final ExecutorService workers;

    public DirectEngine(Model model, ExecutorService workers) {
        this.model = model;
        this.workers = workers;
    }

    @Override
    public CompletableFuture<List<Tensor>> submit(List<Tensor> inputs) {
        return CompletableFuture.supplyAsync(() -> model.infer(inputs), workers);
    }

    @Override
    public void close() {
        workers.shutdown();
        try {
            workers.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
