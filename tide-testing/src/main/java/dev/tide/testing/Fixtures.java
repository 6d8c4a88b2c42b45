package dev.tide.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import java.util.function.Consumer;

/**
 * Builders for test objects with functional options, as Knative's tests build them:
 * {@code service("default", "hello", withContainer("img"), withTemplateAnnotation("k", "v"))}.
 */
public final class Fixtures {

    private Fixtures() {
    }

    /** An option that changes an object being built. */
    @FunctionalInterface
    public interface Option extends Consumer<ObjectNode> {
    }

    @SafeVarargs
    private static ObjectNode object(String apiVersion, String kind, String namespace, String name, Consumer<ObjectNode>... options) {
        ObjectNode o = Json.object();
        o.put("apiVersion", apiVersion).put("kind", kind);
        o.putObject("metadata").put("name", name).put("namespace", namespace);
        for (Consumer<ObjectNode> opt : options) {
            opt.accept(o);
        }
        return o;
    }

    /** A Knative Service with one container running {@code image}, unless options say otherwise. */
    public static ObjectNode service(String namespace, String name, Option... options) {
        ObjectNode svc = object("serving.knative.dev/v1", "Service", namespace, name);
        svc.putObject("spec").putObject("template").putObject("spec").putArray("containers").addObject()
                .put("image", "example.com/" + name + ":1");
        for (Option o : options) {
            o.accept(svc);
        }
        return svc;
    }

    /** A KServe InferenceService whose predictor serves an ONNX model from {@code storageUri}. */
    public static ObjectNode inferenceService(String namespace, String name, Option... options) {
        ObjectNode isvc = object("serving.kserve.io/v1beta1", "InferenceService", namespace, name);
        ObjectNode model = isvc.putObject("spec").putObject("predictor").putObject("model");
        model.putObject("modelFormat").put("name", "onnx");
        model.put("storageUri", "file:///models/" + name);
        for (Option o : options) {
            o.accept(isvc);
        }
        return isvc;
    }

    public static Option withTemplateAnnotation(String key, String value) {
        return o -> Json.with(Json.with(Json.with(Json.with(o, "spec"), "template"), "metadata"), "annotations").put(key, value);
    }

    public static Option withAnnotation(String key, String value) {
        return o -> Json.with(Json.with(o, "metadata"), "annotations").put(key, value);
    }

    public static Option withLabel(String key, String value) {
        return o -> Json.with(Json.with(o, "metadata"), "labels").put(key, value);
    }

    public static Option withImage(String image) {
        return o -> ((ObjectNode) o.path("spec").path("template").path("spec").path("containers").get(0)).put("image", image);
    }

    public static Option withContainerConcurrency(long cc) {
        return o -> Json.with(Json.with(Json.with(o, "spec"), "template"), "spec").put("containerConcurrency", cc);
    }

    /** Replaces the traffic block with the given targets, each built by {@link #target}. */
    public static Option withTraffic(ObjectNode... targets) {
        return o -> {
            ArrayNode traffic = Json.with(o, "spec").putArray("traffic");
            for (ObjectNode t : targets) {
                traffic.add(t);
            }
        };
    }

    /** A traffic target: a revision name, or {@code null} for the latest revision. */
    public static ObjectNode target(String revisionName, long percent, String tag) {
        ObjectNode t = Json.object();
        if (revisionName == null) {
            t.put("latestRevision", true);
        } else {
            t.put("revisionName", revisionName);
        }
        t.put("percent", percent);
        if (tag != null) {
            t.put("tag", tag);
        }
        return t;
    }

    /** Sets {@code spec.predictor.FIELD} on an InferenceService. */
    public static Option withPredictor(String field, long value) {
        return o -> Json.with(Json.with(o, "spec"), "predictor").put(field, value);
    }

    public static Option withPredictor(String field, String value) {
        return o -> Json.with(Json.with(o, "spec"), "predictor").put(field, value);
    }
}
