package dev.tide.modelserver.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.tide.modelserver.InferenceException;
import dev.tide.modelserver.tensor.Datatype;
import dev.tide.modelserver.tensor.Tensor;
import dev.tide.modelserver.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An ONNX model run by ONNX Runtime: tensors in, every output out. */
public final class OnnxModel implements Model {

    private final String name;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;

    private OnnxModel(String name, OrtEnvironment env, OrtSession session) throws OrtException {
        this.name = name;
        this.env = env;
        this.session = session;
        this.inputs = specs(session.getInputInfo());
        this.outputs = specs(session.getOutputInfo());
    }

    /**
     * Loads a model file.
     *
     * @param options session options (threads, execution provider); the session keeps no reference to them
     */
    public static OnnxModel load(String name, Path file, OrtEnvironment env, OrtSession.SessionOptions options) {
        try {
            return new OnnxModel(name, env, env.createSession(file.toString(), options));
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime could not load " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> info) {
        List<TensorSpec> out = new ArrayList<>();
        info.forEach((n, node) -> {
            if (node.getInfo() instanceof TensorInfo ti) {
                Datatype dt = Datatype.of(ti.type).orElseThrow(() -> new IllegalStateException(
                        "tensor " + n + " has type " + ti.type + ", which the inference protocol has no datatype for"));
                out.add(new TensorSpec(n, dt, ti.getShape()));
            } else {
                throw new IllegalStateException("model value " + n + " is a " + node.getInfo()
                        + "; only tensor inputs and outputs are served");
            }
        });
        return List.copyOf(out);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String platform() {
        return "onnxruntime_onnx";
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputs;
    }

    @Override
    public List<Tensor> infer(List<Tensor> in) {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (Tensor t : in) {
                feed.put(t.name(), toOnnx(t));
            }
            try (OrtSession.Result result = session.run(feed)) {
                List<Tensor> out = new ArrayList<>(outputs.size());
                for (TensorSpec spec : outputs) {
                    OnnxValue v = result.get(spec.name()).orElseThrow();
                    out.add(fromOnnx(spec.name(), (OnnxTensor) v));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new InferenceException(500, "inference failed: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    OnnxTensor toOnnx(Tensor t) throws OrtException {
        if (t.datatype() == Datatype.BYTES) {
            String[] values = new String[t.bytes().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = new String(t.bytes().get(i), StandardCharsets.UTF_8);
            }
            return OnnxTensor.createTensor(env, values, t.shape());
        }
        ByteBuffer data = t.data();
        if (!data.isDirect()) {
            data = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.LITTLE_ENDIAN).put(data.duplicate()).flip();
        }
        if (t.datatype() == Datatype.BOOL) {
            return OnnxTensor.createTensor(env, data, t.shape(), OnnxJavaType.BOOL);
        }
        return OnnxTensor.createTensor(env, data, t.shape(), t.datatype().onnx());
    }

    static Tensor fromOnnx(String name, OnnxTensor v) throws OrtException {
        TensorInfo info = v.getInfo();
        long[] shape = info.getShape();
        if (info.type == OnnxJavaType.STRING) {
            String[] flat = flattenStrings(v.getValue(), Math.toIntExact(Tensor.elements(shape)));
            List<byte[]> bytes = new ArrayList<>(flat.length);
            for (String s : flat) {
                bytes.add(s.getBytes(StandardCharsets.UTF_8));
            }
            return Tensor.strings(name, shape, bytes);
        }
        Datatype dt = Datatype.of(info.type).orElseThrow();
        // getByteBuffer copies the output out of native memory, so the result outlives the ONNX Runtime result.
        return Tensor.numeric(name, dt, shape, v.getByteBuffer());
    }

    private static String[] flattenStrings(Object value, int n) {
        String[] out = new String[n];
        int[] pos = {0};
        flattenInto(value, out, pos);
        return out;
    }

    private static void flattenInto(Object value, String[] out, int[] pos) {
        if (value instanceof String s) {
            out[pos[0]++] = s;
        } else if (value instanceof Object[] arr) {
            for (Object o : arr) {
                flattenInto(o, out, pos);
            }
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
