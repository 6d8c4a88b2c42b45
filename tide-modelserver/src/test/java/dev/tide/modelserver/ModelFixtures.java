package dev.tide.modelserver;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.common.time.Ticker;
import dev.tide.modelserver.batch.BatchPolicy;
import dev.tide.modelserver.batch.DirectEngine;
import dev.tide.modelserver.batch.DynamicBatcher;
import dev.tide.modelserver.batch.InferenceEngine;
import dev.tide.modelserver.model.Model;
import dev.tide.modelserver.model.ModelLoader;
import dev.tide.modelserver.protocol.ModelEndpoint;
import dev.tide.testing.onnx.OnnxModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/** Loads ONNX models written by a test into ready endpoints, and closes what they started. */
public final class ModelFixtures implements AutoCloseable {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final ObjectMapper json;
    private final Path dir;
    private final List<AutoCloseable> close = new ArrayList<>();

    public ModelFixtures(Path dir, ObjectMapper json) {
        this.dir = dir;
        this.json = json;
    }

    /** A ready endpoint over the model; batching when a policy is given. */
    public ModelEndpoint endpoint(String name, byte[] onnx, BatchPolicy batch) throws Exception {
        Path modelDir = OnnxModels.write(dir.resolve(name), onnx);
        Model model = new ModelLoader(env, json).load(name, modelDir, new OrtSession.SessionOptions());
        InferenceEngine engine = batch != null
                ? new DynamicBatcher(model, batch, Ticker.system(), Thread.ofPlatform().daemon().factory(), 1)
                : new DirectEngine(model, Executors.newFixedThreadPool(2));
        ModelEndpoint endpoint = new ModelEndpoint(name, json);
        endpoint.ready(model, engine);
        close.add(engine);
        return endpoint;
    }

    /** Closes a server (or anything) with the fixtures, before the engines it calls. */
    public <T extends AutoCloseable> T closeLater(T c) {
        close.addFirst(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : close) {
            c.close();
        }
    }
}
