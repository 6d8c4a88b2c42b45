package dev.tide.controlplane.serving;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How this Tide serves KServe predictors that give a model and no containers: the command that starts Tide's model
 * server, the model formats it serves, and the shared model cache it fetches into. Supplied by the launcher, which
 * knows where the JDK and Tide's jars are.
 *
 * @param command   the model server's command line up to its own options (java, JVM flags, class path, main class)
 * @param formats   the {@code modelFormat} names served, lower case ({@code onnx})
 * @param cacheDir  the model cache directory shared by every replica
 * @param volumes   named local volumes for {@code pvc://NAME/path}
 * @param cacheArgs cache quota and watermark options passed through
 * @param env       environment the model server needs, under the container's own (which wins)
 * @param storage   which storage URIs the model server may read (the operator's model roots and host rules)
 * @param ingress   Tide's ingress as a transformer reaches it ({@code http://127.0.0.1:8080}), or empty before it listens:
 *                  a transformer's HTTP client uses it as its proxy, so the predictor's cluster-local host
 *                  ({@code NAME-predictor.NAMESPACE}), which no resolver knows, reaches the predictor
 */
public record ModelServing(List<String> command, Set<String> formats, String cacheDir, Map<String, String> volumes,
                           List<String> cacheArgs, Map<String, String> env, StorageCheck storage,
                           java.util.function.Supplier<String> ingress) {

    /** The operator's rule on where models may come from, checked before a replica starts. */
    public interface StorageCheck {
        /**
         * @param env the replica's environment (an {@code s3://} model's endpoint is in it)
         * @return why {@code storageUri} may not be read, naming the rule, or empty when it may
         */
        Optional<String> refusal(String storageUri, Map<String, String> env);

        /** The model server's flags that enforce the same rule when it fetches. */
        List<String> args();

        StorageCheck ANY = new StorageCheck() {
            @Override
            public Optional<String> refusal(String storageUri, Map<String, String> env) {
                return Optional.empty();
            }

            @Override
            public List<String> args() {
                return List.of();
            }
        };
    }

    public ModelServing(List<String> command, Set<String> formats, String cacheDir, Map<String, String> volumes,
                        List<String> cacheArgs, Map<String, String> env) {
        this(command, formats, cacheDir, volumes, cacheArgs, env, StorageCheck.ANY, () -> "");
    }

    /** Annotation that turns dynamic batching {@code on}, {@code off} or leaves it {@code auto} (on when the model batches). */
    public static final String BATCHING = "serving.tide.dev/batching";
    /** Annotation: the most rows one model run takes (KServe's {@code batcher.maxBatchSize} sets it too). */
    public static final String MAX_BATCH_SIZE = "serving.tide.dev/max-batch-size";
    /** Annotation: milliseconds a batch waits for more requests (KServe's {@code batcher.maxLatency} sets it too). */
    public static final String MAX_BATCH_DELAY = "serving.tide.dev/max-batch-delay-ms";

    public ModelServing {
        command = List.copyOf(command);
        formats = Set.copyOf(formats);
        volumes = Map.copyOf(volumes);
        cacheArgs = List.copyOf(cacheArgs);
        env = Map.copyOf(env);
    }

    /** No model server: predictors without containers report RuntimeUnavailable. */
    public static ModelServing none() {
        return new ModelServing(List.of(), Set.of(), "", Map.of(), List.of(), Map.of());
    }
}
