package dev.tide.modelserver;


import dev.tide.modelserver.batch.BatchPolicy;
import dev.tide.modelserver.storage.ModelCache;
import dev.tide.modelserver.storage.StoragePolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model server's command line, in KServe's model-server style ({@code --model_name=NAME --model_dir=DIR
 * --http_port=8080}); every option also reads {@code --name value}.
 *
 * @param storageUri    where the model comes from when there is no {@code modelDir}; fetched through the cache
 * @param cacheDir      the shared model cache (Tide's data dir {@code /models})
 * @param volumes       named local volumes for {@code pvc://NAME/...}: {@code --volume NAME=DIR}, repeatable
 * @param baseDir       what a relative {@code file://} path is relative to (the Tide server's working directory)
 * @param batching      dynamic batching: {@code auto} (on when the model has a batch dimension), {@code on}, {@code off}
 * @param workers       inference threads; default the number of cores
 * @param intraOpThreads ONNX Runtime threads per inference; default 1 (several callers at one thread each gave the best
 *                      throughput on 2 cores, see the README's numbers)
 * @param gpu           use the CUDA execution provider when this ONNX Runtime build and the machine have one
 * @param grpcPort      a second port for the v2 gRPC service alone: -1 (the default) for none, 0 for any free one;
 *                      the HTTP port serves gRPC on h2c either way
 */
public record ModelServerOptions(String modelName, Path modelDir, String storageUri, Path cacheDir, Map<String, Path> volumes,
                                 Path baseDir, String host, int httpPort, String batching, BatchPolicy batch, int workers, int intraOpThreads,
                                 int maxBodyBytes, Duration drainTimeout, boolean gpu, long cacheQuotaBytes, double cacheHigh,
                                 double cacheLow, int grpcPort, StoragePolicy storage) {

    /** Parses arguments; the port falls back to {@code $PORT} (Tide's runtime contract), then 8080. */
    public static ModelServerOptions parse(List<String> args, Map<String, String> env) {
        Map<String, String> o = new LinkedHashMap<>();
        Map<String, Path> volumes = new HashMap<>();
        List<Path> modelRoots = new java.util.ArrayList<>();
        java.util.Set<Integer> deniedPorts = new java.util.HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
            String k;
            String v;
            int eq = a.indexOf('=');
            if (eq > 0) {
                k = a.substring(2, eq);
                v = a.substring(eq + 1);
            } else {
                k = a.substring(2);
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("--" + k + " needs a value");
                }
                v = args.get(++i);
            }
            k = k.replace('-', '_');
            if (k.equals("volume")) {
                int at = v.indexOf('=');
                if (at <= 0) {
                    throw new IllegalArgumentException("--volume expects NAME=DIR, got " + v);
                }
                volumes.put(v.substring(0, at), Path.of(v.substring(at + 1)));
            } else if (k.equals("model_root")) {
                modelRoots.add(Path.of(v));
            } else if (k.equals("deny_port")) {
                deniedPorts.add(Integer.parseInt(v));
            } else {
                o.put(k, v);
            }
        }
        String name = o.remove("model_name");
        if (name == null) {
            throw new IllegalArgumentException("--model_name is required");
        }
        String dir = o.remove("model_dir");
        String uri = o.remove("storage_uri");
        if ((dir == null) == (uri == null)) {
            throw new IllegalArgumentException("give exactly one of --model_dir and --storage_uri");
        }
        int port = Integer.parseInt(o.getOrDefault("http_port", env.getOrDefault("PORT", "8080")));
        o.remove("http_port");
        int cores = Runtime.getRuntime().availableProcessors();
        ModelServerOptions opts = new ModelServerOptions(name, dir == null ? null : Path.of(dir), uri,
                Path.of(remove(o, "cache_dir", System.getProperty("user.home") + "/.tide/models")), volumes,
                Path.of(remove(o, "base_dir", "")).toAbsolutePath(), remove(o, "host", "127.0.0.1"), port, remove(o, "batching", "auto"),
                new BatchPolicy(Integer.parseInt(remove(o, "max_batch_size", "32")),
                        Duration.ofMillis(Long.parseLong(remove(o, "max_batch_delay_ms", "0")))),
                Integer.parseInt(remove(o, "workers", Integer.toString(cores))),
                Integer.parseInt(remove(o, "intra_op_threads", "1")),
                Integer.parseInt(remove(o, "max_body_bytes", Integer.toString(64 << 20))),
                Duration.ofSeconds(Long.parseLong(remove(o, "drain_timeout_seconds", "30"))),
                Boolean.parseBoolean(remove(o, "gpu", "false")),
                Long.parseLong(remove(o, "cache_quota_bytes", Long.toString(ModelCache.Limits.DEFAULT.quotaBytes()))),
                Double.parseDouble(remove(o, "cache_high", Double.toString(ModelCache.Limits.DEFAULT.high()))),
                Double.parseDouble(remove(o, "cache_low", Double.toString(ModelCache.Limits.DEFAULT.low()))),
                Integer.parseInt(remove(o, "grpc_port", "-1")),
                // Tide passes its policy; a model server run by hand with none reads what its user can.
                modelRoots.isEmpty() && deniedPorts.isEmpty() && !o.containsKey("allow_private_hosts") ? StoragePolicy.UNRESTRICTED
                        : new StoragePolicy(modelRoots, Boolean.parseBoolean(o.getOrDefault("allow_private_hosts", "false")), deniedPorts));
        o.remove("allow_private_hosts");
        // KServe passes flags its servers know; unknown ones are reported, not fatal.
        if (!o.isEmpty()) {
            System.err.println("tide-modelserver: ignoring unknown options " + o.keySet());
        }
        if (!List.of("auto", "on", "off").contains(opts.batching())) {
            throw new IllegalArgumentException("--batching must be auto, on or off, got " + opts.batching());
        }
        return opts;
    }

    private static String remove(Map<String, String> o, String key, String dflt) {
        String v = o.remove(key);
        return v == null ? dflt : v;
    }
}
