package dev.tide.modelserver.metrics;

import dev.tide.modelserver.batch.InferenceEngine;
import dev.tide.modelserver.model.Model;
import dev.tide.modelserver.storage.ModelCache;
import dev.tide.modelserver.tensor.Tensor;
import dev.tide.modelserver.tensor.TensorSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The model server's own metrics, served on its {@code /metrics}: per request, KServe's {@code request_predict_seconds}
 * (from arrival at the engine to the answer, batching wait included) and a count by outcome; per model run, the rows
 * it ran ({@code tide_modelserver_batch_size}: 1 without batching, up to the max batch size with it) and its time;
 * and the model cache's hits, misses and evictions (local paths are served in place and count as neither).
 */
public final class ModelServerMetrics {

    private final Timer predict;
    private final Counter ok;
    private final Counter failed;
    private final DistributionSummary batchRows;
    private final Timer run;
    private final MeterRegistry registry;
    private ModelCache cache;

    public ModelServerMetrics(MeterRegistry registry, String model) {
        this.registry = registry;
        this.predict = Timer.builder("request_predict_seconds").description("Time to answer an inference request")
                .tag("model_name", model).publishPercentileHistogram().register(registry);
        this.ok = Counter.builder("tide_modelserver_inference_requests").tag("model_name", model).tag("outcome", "ok")
                .description("Inference requests answered").register(registry);
        this.failed = Counter.builder("tide_modelserver_inference_requests").tag("model_name", model).tag("outcome", "failed")
                .description("Inference requests answered").register(registry);
        this.batchRows = DistributionSummary.builder("tide_modelserver_batch_size").tag("model_name", model)
                .description("Rows per model run").serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128).register(registry);
        this.run = Timer.builder("tide_modelserver_run_seconds").tag("model_name", model).description("Time of one model run")
                .publishPercentileHistogram().register(registry);
    }

    /**
     * Exposes the model cache's own counts: hits, misses (fetches), and the evictions this process made. The meters
     * read it through this object, which holds it: Micrometer keeps only a weak reference to a meter's state, and the
     * launcher keeps only the cache's lease.
     */
    public void cache(ModelCache modelCache) {
        this.cache = modelCache;
        FunctionCounter.builder("tide_model_cache_hits", this, m -> m.cache.hits())
                .description("Models found in the shared cache").register(registry);
        FunctionCounter.builder("tide_model_cache_misses", this, m -> m.cache.misses())
                .description("Models fetched into the shared cache").register(registry);
        FunctionCounter.builder("tide_model_cache_evictions", this, m -> m.cache.evictions())
                .description("Models evicted from the shared cache to stay under its quota").register(registry);
    }

    /** The model, each run measured. */
    public Model instrument(Model model) {
        return new Model() {
            @Override
            public String name() {
                return model.name();
            }

            @Override
            public String platform() {
                return model.platform();
            }

            @Override
            public List<TensorSpec> inputs() {
                return model.inputs();
            }

            @Override
            public List<TensorSpec> outputs() {
                return model.outputs();
            }

            @Override
            public boolean batchable() {
                return model.batchable();
            }

            @Override
            public List<Tensor> infer(List<Tensor> inputs) {
                long[] shape = inputs.isEmpty() ? new long[0] : inputs.getFirst().shape();
                batchRows.record(model.batchable() && shape.length > 0 ? shape[0] : 1);
                return run.record(() -> model.infer(inputs));
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }

    /** The engine, each request measured from submission to answer. */
    public InferenceEngine instrument(InferenceEngine engine) {
        return new InferenceEngine() {
            @Override
            public CompletableFuture<List<Tensor>> submit(List<Tensor> inputs) {
                Timer.Sample sample = Timer.start(registry);
                return engine.submit(inputs).whenComplete((out, err) -> {
                    sample.stop(predict);
                    (err == null ? ok : failed).increment();
                });
            }

            @Override
            public void close() {
                engine.close();
            }
        };
    }
}
