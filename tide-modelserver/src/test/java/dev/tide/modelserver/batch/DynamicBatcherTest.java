package dev.tide.modelserver.batch;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.common.time.Ticker;
import dev.tide.modelserver.InferenceException;
import dev.tide.modelserver.model.Model;
import dev.tide.modelserver.model.ModelLoader;
import dev.tide.modelserver.tensor.Datatype;
import dev.tide.modelserver.tensor.Tensor;
import dev.tide.modelserver.tensor.TensorSpec;
import dev.tide.testing.onnx.OnnxModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batching decided by what is queued, not by timing: the first run is held open by a gate, so the requests submitted
 * meanwhile are all queued when the worker gathers its next batch. The model is a real ONNX Identity [N, M].
 */
class DynamicBatcherTest {

    @TempDir
    Path dir;

    private GatedModel model;
    private DynamicBatcher batcher;

    /** Runs the real model; holds its first run until released, records each run's rows, refuses negative inputs. */
    static final class GatedModel implements Model {
        final Model delegate;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Long> runs = Collections.synchronizedList(new ArrayList<>());

        GatedModel(Model delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<Tensor> infer(List<Tensor> inputs) {
            if (entered.getCount() > 0) {
                entered.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            FloatBuffer fb = inputs.get(0).data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            while (fb.hasRemaining()) {
                if (fb.get() < 0) {
                    throw new InferenceException(500, "negative input");
                }
            }
            List<Tensor> out = delegate.infer(inputs);
            runs.add(inputs.get(0).shape()[0]);
            return out;
        }

        public String name() {
            return delegate.name();
        }

        public String platform() {
            return delegate.platform();
        }

        public List<TensorSpec> inputs() {
            return delegate.inputs();
        }

        public List<TensorSpec> outputs() {
            return delegate.outputs();
        }

        public void close() {
            delegate.close();
        }
    }

    @BeforeEach
    void load() throws Exception {
        Path modelDir = OnnxModels.write(dir, OnnxModels.node("Identity", List.of("x"), List.of("y"), OnnxModels.FLOAT, "N", "M"));
        model = new GatedModel(new ModelLoader(OrtEnvironment.getEnvironment(), new ObjectMapper())
                .load("id", modelDir, new OrtSession.SessionOptions()));
    }

    @AfterEach
    void close() {
        batcher.close();
        model.close();
    }

    private void start(int maxBatchSize) throws InterruptedException {
        batcher = new DynamicBatcher(model, new BatchPolicy(maxBatchSize, Duration.ZERO), Ticker.system(),
                Thread.ofPlatform().daemon().factory(), 1);
    }

    /** One row [values...]. */
    private static List<Tensor> row(float... values) {
        ByteBuffer b = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return List.of(Tensor.numeric("x", Datatype.FP32, new long[] {1, values.length}, b.flip()));
    }

    private static float[] values(Tensor t) {
        FloatBuffer fb = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    /** Submits a first request and waits until the model holds it, so later submissions queue. */
    private CompletableFuture<List<Tensor>> holdFirstRun() throws InterruptedException {
        CompletableFuture<List<Tensor>> first = batcher.submit(row(0, 0));
        assertThat(model.entered.await(30, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    @Test
    void requestsQueuedWhileTheModelIsBusyShareTheNextRunAndGetTheirOwnRows() throws Exception {
        start(32);
        CompletableFuture<List<Tensor>> first = holdFirstRun();
        List<CompletableFuture<List<Tensor>>> queued = new ArrayList<>();
        for (int i = 1; i <= 15; i++) {
            queued.add(batcher.submit(row(i, 100 + i)));
        }
        model.release.countDown();
        assertThat(values(first.get(30, TimeUnit.SECONDS).get(0))).containsExactly(0, 0);
        for (int i = 1; i <= 15; i++) {
            Tensor out = queued.get(i - 1).get(30, TimeUnit.SECONDS).get(0);
            assertThat(out.shape()).containsExactly(1, 2);
            assertThat(values(out)).containsExactly(i, 100 + i);
        }
        assertThat(model.runs).containsExactly(1L, 15L);
        assertThat(batcher.runs()).isEqualTo(2);
        assertThat(batcher.rows()).isEqualTo(16);
    }

    @Test
    void aBatchTakesAtMostMaxBatchSizeRowsAndOnlyStackableRequests() throws Exception {
        start(4);
        CompletableFuture<List<Tensor>> first = holdFirstRun();
        List<CompletableFuture<List<Tensor>>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(batcher.submit(row(i, i)));
        }
        all.add(batcher.submit(row(7, 7, 7))); // another row shape: never in a batch of two-wide rows
        model.release.countDown();
        first.get(30, TimeUnit.SECONDS);
        for (CompletableFuture<List<Tensor>> f : all) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertThat(values(all.get(6).get().get(0))).containsExactly(7, 7, 7);
        // 1 (held), then 4 two-wide rows; the three-wide row and the last two-wide rows run after.
        assertThat(model.runs.get(0)).isEqualTo(1L);
        assertThat(model.runs.get(1)).isEqualTo(4L);
        assertThat(model.runs).hasSize(4).allMatch(r -> r <= 4);
        assertThat(model.runs.stream().mapToLong(Long::longValue).sum()).isEqualTo(8);
    }

    @Test
    void aRequestThatBreaksTheModelFailsAloneAndTheRestOfItsBatchIsAnswered() throws Exception {
        start(32);
        CompletableFuture<List<Tensor>> first = holdFirstRun();
        CompletableFuture<List<Tensor>> good1 = batcher.submit(row(1, 1));
        CompletableFuture<List<Tensor>> bad = batcher.submit(row(-1, 2));
        CompletableFuture<List<Tensor>> good2 = batcher.submit(row(3, 3));
        model.release.countDown();
        first.get(30, TimeUnit.SECONDS);
        assertThat(values(good1.get(30, TimeUnit.SECONDS).get(0))).containsExactly(1, 1);
        assertThat(values(good2.get(30, TimeUnit.SECONDS).get(0))).containsExactly(3, 3);
        assertThat(bad).failsWithin(Duration.ofSeconds(30)).withThrowableThat().havingRootCause()
                .isInstanceOf(InferenceException.class).withMessage("negative input");
        // The batch of three failed as a whole, then each ran alone.
        assertThat(model.runs).containsExactly(1L, 1L, 1L);
    }
}
