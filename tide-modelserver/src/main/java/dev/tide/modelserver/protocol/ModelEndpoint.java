package dev.tide.modelserver.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tide.modelserver.InferenceException;
import dev.tide.modelserver.batch.InferenceEngine;
import dev.tide.modelserver.model.Model;
import dev.tide.modelserver.tensor.Datatype;
import dev.tide.modelserver.tensor.RawTensors;
import dev.tide.modelserver.tensor.Tensor;
import dev.tide.modelserver.tensor.TensorSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The Open Inference Protocol over one model, independent of the transport: v2 REST (health, metadata, infer) and v1
 * (TF Serving style {@code :predict} with {@code instances} or {@code inputs}). Until {@link #ready} is called the model
 * is not ready: health/live answers, everything about the model answers 503.
 */
public final class ModelEndpoint {

    /** The server name that metadata reports. */
    public static final String SERVER = "tide-modelserver";
    /** The binary tensor data extension's header: how many bytes of the body are the JSON request or answer. */
    public static final String INFERENCE_HEADER_CONTENT_LENGTH = "Inference-Header-Content-Length";

    private final String name;
    private final ObjectMapper json;
    private volatile Model model;
    private volatile InferenceEngine engine;

    private final java.util.function.Supplier<String> metrics;

    public ModelEndpoint(String name, ObjectMapper json) {
        this(name, json, () -> "");
    }

    /** @param metrics the Prometheus text served on {@code /metrics} */
    public ModelEndpoint(String name, ObjectMapper json, java.util.function.Supplier<String> metrics) {
        this.name = name;
        this.json = json;
        this.metrics = metrics;
    }

    public String name() {
        return name;
    }

    /** Marks the model loaded and warmed up: from now on it is ready and answers inferences. */
    public void ready(Model loaded, InferenceEngine runner) {
        this.engine = runner;
        this.model = loaded;
    }

    public boolean isReady() {
        return model != null;
    }

    /**
     * Answers one request. Bad input completes with a 400 response, never exceptionally.
     *
     * @param path the request path without query
     */
    public CompletableFuture<Response> handle(String method, String path, byte[] body) {
        return handle(method, path, body, null);
    }

    /**
     * Answers one request in the binary tensor data extension (Triton's and KServe's): the body's first
     * {@code jsonLength} bytes are the JSON request, the rest are the binary inputs, each sized by its
     * {@code parameters.binary_data_size}, in the order of the inputs.
     *
     * @param jsonLength the {@code Inference-Header-Content-Length} header as sent; {@code null} without one (the body
     *                   is all JSON)
     */
    public CompletableFuture<Response> handle(String method, String path, byte[] body, String jsonLength) {
        try {
            return route(method, path, body, jsonLength(jsonLength)).exceptionally(this::failure);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(failure(e));
        }
    }

    private Response failure(Throwable t) {
        Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (e instanceof InferenceException ie) {
            return error(ie.status(), ie.getMessage());
        }
        return error(500, "inference failed: " + e);
    }

    /** KServe's error body: {@code {"error": "..."}}. */
    public Response error(int status, String message) {
        return write(status, g -> {
            g.writeStartObject();
            g.writeStringField("error", message);
            g.writeEndObject();
        });
    }

    private CompletableFuture<Response> route(String method, String path, byte[] body, int jsonLength) {
        boolean get = method.equals("GET") || method.equals("HEAD");
        boolean post = method.equals("POST");
        if (path.equals("/") && get) {
            return done(Response.json(200, "{\"status\":\"alive\"}"));
        }
        if (path.equals("/metrics") && get) {
            return done(new Response(200, metrics.get().getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain; version=0.0.4; charset=utf-8"));
        }
        if (path.equals("/v2/health/live") && get) {
            return done(Response.json(200, "{\"live\":true}"));
        }
        if (path.equals("/v2/health/ready") && get) {
            return done(Response.json(isReady() ? 200 : 503, "{\"ready\":" + isReady() + "}"));
        }
        if (path.equals("/v2") && get) {
            return done(Response.json(200, "{\"name\":\"" + SERVER + "\",\"version\":\"2\",\"extensions\":[\"binary_tensor_data\"]}"));
        }
        if (path.equals("/v1/models") && get) {
            return done(Response.json(200, "{\"models\":[\"" + name + "\"]}"));
        }
        if (path.startsWith("/v2/models/")) {
            String rest = path.substring("/v2/models/".length());
            String[] parts = rest.split("/", -1);
            String model = parts[0];
            int i = 1;
            if (parts.length > 2 && parts[1].equals("versions")) {
                i = 3; // /v2/models/NAME/versions/V/...: Tide serves one version per model, whatever V says
            }
            String op = parts.length > i ? String.join("/", Arrays.copyOfRange(parts, i, parts.length)) : "";
            checkName(model);
            return switch (op) {
                case "" -> get ? done(metadata()) : notAllowed(method, path);
                case "ready" -> get ? done(Response.json(isReady() ? 200 : 503,
                        "{\"name\":\"" + name + "\",\"ready\":" + isReady() + "}")) : notAllowed(method, path);
                case "infer" -> post ? inferV2(body, jsonLength) : notAllowed(method, path);
                default -> done(error(404, "no route " + path));
            };
        }
        if (path.startsWith("/v1/models/")) {
            String rest = path.substring("/v1/models/".length());
            int colon = rest.indexOf(':');
            String model = colon < 0 ? rest : rest.substring(0, colon);
            String verb = colon < 0 ? "" : rest.substring(colon + 1);
            checkName(model);
            return switch (verb) {
                case "" -> get ? done(Response.json(isReady() ? 200 : 503,
                        "{\"name\":\"" + name + "\",\"ready\":" + isReady() + "}")) : notAllowed(method, path);
                case "predict" -> post ? predictV1(body) : notAllowed(method, path);
                default -> done(error(404, "unknown verb :" + verb + "; v1 serves :predict"));
            };
        }
        return done(error(404, "no route " + path + "; served: /v2/models/" + name + "/infer, /v1/models/" + name
                + ":predict, /v2/health/live, /v2/health/ready"));
    }

    /**
     * Refuses a request for a model this server does not serve.
     *
     * @throws InferenceException 404 in KServe's words
     */
    public void checkName(String model) {
        if (!model.equals(name)) {
            throw new InferenceException(404, "Model with name " + model + " does not exist.");
        }
    }

    private static CompletableFuture<Response> done(Response r) {
        return CompletableFuture.completedFuture(r);
    }

    private CompletableFuture<Response> notAllowed(String method, String path) {
        return done(error(405, method + " is not allowed on " + path));
    }

    private Model loaded() {
        Model m = model;
        if (m == null) {
            throw new InferenceException(503, "model " + name + " is not ready yet (loading)");
        }
        return m;
    }

    private Response metadata() {
        Model m = loaded();
        return write(200, g -> {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeArrayFieldStart("versions");
            g.writeString("1");
            g.writeEndArray();
            g.writeStringField("platform", m.platform());
            writeSpecs(g, "inputs", m.inputs());
            writeSpecs(g, "outputs", m.outputs());
            g.writeEndObject();
        });
    }

    private static void writeSpecs(JsonGenerator g, String field, List<TensorSpec> specs) throws IOException {
        g.writeArrayFieldStart(field);
        for (TensorSpec s : specs) {
            g.writeStartObject();
            writeTensorHead(g, s.name(), s.datatype(), s.shape());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** A tensor's name, datatype and shape fields, as metadata and answers both write them. */
    private static void writeTensorHead(JsonGenerator g, String name, Datatype datatype, long[] shape) throws IOException {
        g.writeStringField("name", name);
        g.writeStringField("datatype", datatype.name());
        g.writeArrayFieldStart("shape");
        for (long d : shape) {
            g.writeNumber(d);
        }
        g.writeEndArray();
    }

    private JsonNode parse(byte[] body) {
        return parse(body, body.length);
    }

    /** The JSON object in the first {@code length} bytes of {@code body}. */
    private JsonNode parse(byte[] body, int length) {
        if (length == 0) {
            throw InferenceException.badRequest("the request has no body; a JSON object is expected");
        }
        try {
            JsonNode n = json.readTree(body, 0, length);
            if (n == null || !n.isObject()) {
                throw InferenceException.badRequest("malformed JSON: the body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw InferenceException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- v2 ----

    private CompletableFuture<Response> inferV2(byte[] body, int jsonLength) {
        Model m = loaded();
        if (jsonLength > body.length) {
            throw InferenceException.badRequest(INFERENCE_HEADER_CONTENT_LENGTH + " is " + jsonLength + " but the body has "
                    + body.length + " bytes");
        }
        JsonNode req = parse(body, jsonLength < 0 ? body.length : jsonLength);
        int binaryAt = jsonLength < 0 ? body.length : jsonLength;
        JsonNode inputs = req.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw InferenceException.badRequest("inputs: required, a non-empty array of tensors");
        }
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode in = inputs.get(i);
            String inName = in.path("name").textValue();
            if (inName == null) {
                throw InferenceException.badRequest("inputs[" + i + "].name: required");
            }
            TensorSpec spec = inputSpec(m, inName, byName.keySet());
            Datatype dt = datatype(inName, in.path("datatype").textValue());
            long[] shape = shape(in.get("shape"), inName);
            JsonNode data = in.get("data");
            JsonNode binarySize = in.path("parameters").get("binary_data_size");
            Tensor t;
            if (binarySize != null) {
                int size = binarySize(binarySize, jsonLength, body.length - binaryAt, data, inName);
                t = RawTensors.decode(inName, dt, shape, ByteBuffer.wrap(body, binaryAt, size), "binary data", "input " + inName);
                binaryAt += size;
            } else if (data == null) {
                throw InferenceException.badRequest("input " + inName + ": data is required");
            } else {
                t = TensorJson.decode(inName, dt, shape, data, "input " + inName);
            }
            spec.check(t);
            byName.put(inName, t);
        }
        if (binaryAt != body.length) {
            throw InferenceException.badRequest((body.length - binaryAt) + " bytes of binary data follow the inputs' "
                    + "binary_data_size; each input in binary gives its size, and the sizes add up to the rest of the body");
        }
        List<String> wanted = new ArrayList<>();
        // Which outputs come back in binary: each output's parameters.binary_data, else the request's
        // parameters.binary_data_output (what Triton's and KServe's clients send), else JSON.
        boolean allBinary = req.path("parameters").path("binary_data_output").asBoolean(false);
        Map<String, Boolean> binaryOutputs = new java.util.HashMap<>();
        for (JsonNode o : req.path("outputs")) {
            wanted.add(o.path("name").textValue());
            JsonNode b = o.path("parameters").get("binary_data");
            if (b != null && b.isBoolean()) {
                binaryOutputs.put(o.path("name").textValue(), b.booleanValue());
            }
        }
        String id = req.path("id").isTextual() ? req.get("id").textValue() : null;
        return infer(m, byName, wanted).thenApply(outs -> {
            List<byte[]> blobs = new ArrayList<>();
            Response header = write(200, g -> {
                g.writeStartObject();
                g.writeStringField("model_name", name);
                g.writeStringField("model_version", "1");
                if (id != null) {
                    g.writeStringField("id", id);
                }
                g.writeArrayFieldStart("outputs");
                for (Tensor t : outs) {
                    g.writeStartObject();
                    writeTensorHead(g, t.name(), t.datatype(), t.shape());
                    if (binaryOutputs.getOrDefault(t.name(), allBinary)) {
                        byte[] raw = RawTensors.encode(t);
                        blobs.add(raw);
                        g.writeObjectFieldStart("parameters");
                        g.writeNumberField("binary_data_size", raw.length);
                        g.writeEndObject();
                    } else {
                        g.writeFieldName("data");
                        TensorJson.writeFlat(g, t, 0, t.elements());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            });
            return blobs.isEmpty() ? header : binary(header.body(), blobs);
        });
    }

    /** The JSON header followed by the binary outputs, in the order the header lists them. */
    private static Response binary(byte[] header, List<byte[]> blobs) {
        int size = header.length;
        for (byte[] b : blobs) {
            size += b.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(header);
        blobs.forEach(out::put);
        return new Response(200, out.array(), Response.BINARY, header.length);
    }

    /** The {@code Inference-Header-Content-Length} header's bytes; -1 without one. */
    private static int jsonLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            int n = Integer.parseInt(header.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below, as a negative number is
        }
        throw InferenceException.badRequest(INFERENCE_HEADER_CONTENT_LENGTH + ": " + header + " is not a number of bytes");
    }

    /** An input's {@code parameters.binary_data_size}, checked against what the body holds. */
    private static int binarySize(JsonNode size, int jsonLength, int left, JsonNode data, String input) {
        String at = "input " + input + ": parameters.binary_data_size";
        if (jsonLength < 0) {
            throw InferenceException.badRequest(at + " needs the " + INFERENCE_HEADER_CONTENT_LENGTH + " header, which says "
                    + "where the JSON ends and the binary data begins");
        }
        if (!size.canConvertToInt() || !size.isIntegralNumber() || size.intValue() < 0) {
            throw InferenceException.badRequest(at + " is " + size + "; expected a number of bytes");
        }
        if (size.intValue() > left) {
            throw InferenceException.badRequest(at + " is " + size.intValue() + " but only " + left + " bytes of binary data are left");
        }
        if (data != null) {
            throw InferenceException.badRequest("input " + input + ": data and parameters.binary_data_size are both set; give one");
        }
        return size.intValue();
    }

    // ---- the transport-independent core, shared with the gRPC service ----

    /**
     * The loaded model, for a request that names it.
     *
     * @throws InferenceException 404 for another model's name, 503 while loading
     */
    public Model model(String requested) {
        checkName(requested);
        return loaded();
    }

    /**
     * The spec of a request's input, refusing an input the model does not have or one given twice.
     *
     * @param seen the inputs of this request so far
     */
    public static TensorSpec inputSpec(Model m, String input, java.util.Set<String> seen) {
        TensorSpec spec = spec(m.inputs(), input, "input");
        if (seen.contains(input)) {
            throw InferenceException.badRequest("input " + input + " is given twice");
        }
        return spec;
    }

    /** Parses a request tensor's datatype: 400 naming the input when it is missing or unknown. */
    public static Datatype datatype(String input, String name) {
        return Datatype.parse(name).orElseThrow(() -> InferenceException.badRequest("input " + input + ": datatype "
                + (name == null || name.isEmpty() ? "is required" : "\"" + name + "\" is not one of "
                + Arrays.toString(Datatype.values()))));
    }

    /**
     * Runs checked inputs: every model input present, one batch size, the requested outputs known.
     *
     * @param byName the request's tensors, each already checked against its spec
     * @param wanted the outputs to answer with, in any order; empty for all
     * @return the wanted outputs in the model's order
     */
    public CompletableFuture<List<Tensor>> infer(Model m, Map<String, Tensor> byName, List<String> wanted) {
        List<Tensor> ordered = ordered(m, byName);
        for (String o : wanted) {
            spec(m.outputs(), o, "output");
        }
        CompletableFuture<List<Tensor>> outs = engine.submit(ordered);
        return wanted.isEmpty() ? outs : outs.thenApply(all -> all.stream().filter(t -> wanted.contains(t.name())).toList());
    }

    private static TensorSpec spec(List<TensorSpec> specs, String name, String kind) {
        for (TensorSpec s : specs) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw InferenceException.badRequest("unknown " + kind + " \"" + name + "\"; the model's " + kind + "s are "
                + specs.stream().map(TensorSpec::name).toList());
    }

    private static long[] shape(JsonNode n, String inName) {
        if (n == null || !n.isArray()) {
            throw InferenceException.badRequest("input " + inName + ": shape is required, an array of dimensions");
        }
        long[] s = new long[n.size()];
        for (int i = 0; i < s.length; i++) {
            if (!n.get(i).canConvertToExactIntegral() || n.get(i).asLong() < 0) {
                throw InferenceException.badRequest("input " + inName + ": shape[" + i + "] is " + n.get(i)
                        + ", dimensions are non-negative integers");
            }
            s[i] = n.get(i).asLong();
        }
        return s;
    }

    /** The inputs in the model's order, every one present, with one batch size when the model batches. */
    private static List<Tensor> ordered(Model m, Map<String, Tensor> byName) {
        List<Tensor> out = new ArrayList<>(m.inputs().size());
        for (TensorSpec s : m.inputs()) {
            Tensor t = byName.get(s.name());
            if (t == null) {
                throw InferenceException.badRequest("input " + s.name() + " is required (" + s.datatype() + " "
                        + Arrays.toString(s.shape()) + ")");
            }
            out.add(t);
        }
        if (m.batchable()) {
            long rows = out.get(0).shape()[0];
            for (Tensor t : out) {
                if (t.shape()[0] != rows) {
                    throw InferenceException.badRequest("input " + t.name() + ": batch size " + t.shape()[0]
                            + " differs from input " + out.get(0).name() + "'s " + rows);
                }
            }
        }
        return out;
    }

    // ---- v1 ----

    private CompletableFuture<Response> predictV1(byte[] body) {
        Model m = loaded();
        JsonNode req = parse(body);
        boolean rows = req.has("instances");
        JsonNode payload = rows ? req.get("instances") : req.get("inputs");
        if (payload == null) {
            throw InferenceException.badRequest("instances: required (or inputs, the columnar form)");
        }
        Map<String, Tensor> byName = new LinkedHashMap<>();
        if (rows) {
            if (!payload.isArray() || payload.isEmpty()) {
                throw InferenceException.badRequest("instances: a non-empty array is required");
            }
            boolean named = payload.get(0).isObject();
            for (TensorSpec s : m.inputs()) {
                ArrayNode column = json.createArrayNode();
                for (int i = 0; i < payload.size(); i++) {
                    JsonNode inst = payload.get(i);
                    if (named != inst.isObject()) {
                        throw InferenceException.badRequest("instances[" + i + "]: every instance must have the same form");
                    }
                    if (named) {
                        JsonNode v = inst.get(s.name());
                        if (v == null) {
                            throw InferenceException.badRequest("instances[" + i + "]: input " + s.name() + " is required");
                        }
                        column.add(v);
                    } else if (m.inputs().size() == 1) {
                        column.add(inst);
                    } else {
                        throw InferenceException.badRequest("instances[" + i + "]: the model has " + m.inputs().size()
                                + " inputs " + m.inputs().stream().map(TensorSpec::name).toList()
                                + "; each instance must be an object naming them");
                    }
                }
                byName.put(s.name(), fromNested(s, column, "input " + s.name()));
            }
            if (named) {
                payload.get(0).fieldNames().forEachRemaining(f -> spec(m.inputs(), f, "input"));
            }
        } else if (payload.isObject() && m.inputs().size() > 1 || payload.isObject() && payload.has(m.inputs().get(0).name())) {
            for (Iterator<String> it = payload.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                TensorSpec s = spec(m.inputs(), f, "input");
                byName.put(f, fromNested(s, payload.get(f), "input " + f));
            }
        } else {
            if (m.inputs().size() != 1) {
                throw InferenceException.badRequest("inputs: the model has " + m.inputs().size() + " inputs; name them in an object");
            }
            TensorSpec s = m.inputs().get(0);
            byName.put(s.name(), fromNested(s, payload, "input " + s.name()));
        }
        return infer(m, byName, List.of()).thenApply(outs -> write(200, g -> {
            g.writeStartObject();
            if (rows) {
                g.writeArrayFieldStart("predictions");
                long n = outs.get(0).shape().length == 0 ? 1 : outs.get(0).shape()[0];
                for (long r = 0; r < n; r++) {
                    if (outs.size() > 1) {
                        g.writeStartObject();
                    }
                    for (Tensor t : outs) {
                        if (outs.size() > 1) {
                            g.writeFieldName(t.name());
                        }
                        long[] row = t.rowShape();
                        TensorJson.writeNested(g, t, row, 0, r * Tensor.elements(row));
                    }
                    if (outs.size() > 1) {
                        g.writeEndObject();
                    }
                }
                g.writeEndArray();
            } else {
                g.writeFieldName("outputs");
                if (outs.size() > 1) {
                    g.writeStartObject();
                }
                for (Tensor t : outs) {
                    if (outs.size() > 1) {
                        g.writeFieldName(t.name());
                    }
                    TensorJson.writeNested(g, t, t.shape(), 0, 0);
                }
                if (outs.size() > 1) {
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        }));
    }

    private static Tensor fromNested(TensorSpec s, JsonNode nested, String what) {
        long[] shape = TensorJson.shapeOf(nested, what);
        Tensor t = TensorJson.decode(s.name(), s.datatype(), shape, nested, what);
        s.check(t);
        return t;
    }

    // ---- output ----

    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private Response write(int status, Writer w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            w.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Response(status, out.toByteArray());
    }
}
