package dev.tide.modelserver;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.common.time.Ticker;
import dev.tide.modelserver.batch.DirectEngine;
import dev.tide.modelserver.batch.DynamicBatcher;
import dev.tide.modelserver.batch.InferenceEngine;
import dev.tide.modelserver.grpc.GrpcCalls;
import dev.tide.modelserver.grpc.ModelGrpcServer;
import dev.tide.modelserver.http.ModelHttpServer;
import dev.tide.modelserver.metrics.ModelServerMetrics;
import dev.tide.modelserver.model.Model;
import dev.tide.modelserver.model.ModelLoader;
import dev.tide.modelserver.protocol.ModelEndpoint;
import dev.tide.modelserver.storage.Fetchers;
import dev.tide.modelserver.storage.ModelCache;
import dev.tide.modelserver.storage.S3Fetcher;
import dev.tide.modelserver.storage.StoragePolicy;
import dev.tide.modelserver.tensor.Datatype;
import dev.tide.modelserver.tensor.Tensor;
import dev.tide.modelserver.tensor.TensorSpec;
import dev.tide.modelserver.text.TextEmbeddingModel;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * The model server's launcher, run as a replica process: serves HTTP at once (live), fetches the model through the
 * shared cache, loads it, runs a warm-up inference, and only then reports ready. SIGTERM stops accepting, answers the
 * requests in flight, then exits. It prints one line per phase with its duration, which the cold-start benchmark reads.
 */
public final class ModelServerMain {

    private ModelServerMain() {
    }

    public static void main(String[] args) throws Exception {
        ModelServerOptions opts;
        try {
            opts = ModelServerOptions.parse(List.of(args), System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("tide-modelserver: " + e.getMessage());
            System.exit(2);
            return;
        }
        Ticker ticker = Ticker.system();
        long start = ticker.nanos();
        ObjectMapper json = new ObjectMapper();
        int cores = Runtime.getRuntime().availableProcessors();
        ExecutorService codec = Executors.newFixedThreadPool(Math.max(2, cores), named("codec"));
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ModelServerMetrics metrics = new ModelServerMetrics(meters, opts.modelName());
        ModelEndpoint endpoint = new ModelEndpoint(opts.modelName(), json, meters::scrape);
        GrpcCalls calls = GrpcCalls.forEndpoint(endpoint, codec, opts.maxBodyBytes());
        ModelHttpServer http = new ModelHttpServer(opts.host(), opts.httpPort(), endpoint, calls, codec, opts.maxBodyBytes(), 1);
        log("listening on " + opts.host() + ":" + http.port() + " (REST on HTTP/1.1 and h2c, v2 gRPC on h2c) in "
                + ms(ticker, start) + " ms (live, not ready)");
        ModelGrpcServer grpc = opts.grpcPort() < 0 ? null
                : new ModelGrpcServer(opts.host(), opts.grpcPort(), endpoint, codec, opts.maxBodyBytes());
        if (grpc != null) {
            log("gRPC (inference.GRPCInferenceService) on " + opts.host() + ":" + grpc.port());
        }

        InferenceEngine[] engine = new InferenceEngine[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                // Both ports stop taking requests first, then drain side by side within one timeout.
                long deadline = ticker.nanos() + opts.drainTimeout().toNanos();
                if (grpc != null) {
                    grpc.stopAccepting();
                }
                boolean drained = http.shutdownGracefully(opts.drainTimeout()); // gRPC calls on its streams included
                calls.close();
                drained &= grpc == null || grpc.awaitDrained(Duration.ofNanos(Math.max(0, deadline - ticker.nanos())));
                log(drained ? "drained, exiting" : "drain timeout, exiting with requests in flight");
                if (engine[0] != null) {
                    engine[0].close();
                }
                codec.shutdown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown"));

        try {
            long t = ticker.nanos();
            Path dir = opts.modelDir();
            if (dir == null) {
                // Redirects are followed by the HTTP fetcher, each hop checked against the storage policy.
                HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
                S3Fetcher.Settings s3 = S3Fetcher.Settings.fromEnv(System.getenv());
                StoragePolicy.Resolver dns = java.net.InetAddress::getAllByName;
                ModelCache cache = new ModelCache(opts.cacheDir(), new ModelCache.Limits(opts.cacheQuotaBytes(), opts.cacheHigh(),
                        opts.cacheLow()), Fetchers.standard(client, s3, InstantSource.system(), opts.storage(), dns), opts.volumes(),
                        opts.baseDir(), InstantSource.system(), json);
                // Checked here too, not only by Tide before starting the replica: the name may resolve differently now.
                var refused = opts.storage().refusal(cache.parse(opts.storageUri()), s3, dns);
                if (refused.isPresent()) {
                    throw new IllegalArgumentException("refused: " + refused.get());
                }
                metrics.cache(cache);
                // The lease lives as long as the process: the entry stays in use, so eviction leaves it alone.
                ModelCache.Lease lease = cache.acquire(opts.storageUri());
                dir = lease.dir();
                log("model " + opts.storageUri() + " at " + dir + (lease.hit() ? " (cache hit)" : "") + " in " + ms(ticker, t) + " ms");
            }
            t = ticker.nanos();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions so = new OrtSession.SessionOptions();
            so.setIntraOpNumThreads(opts.intraOpThreads());
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (opts.gpu()) {
                if (env.getAvailableProviders().contains(OrtProvider.CUDA)) {
                    so.addCUDA(0);
                    log("using the CUDA execution provider");
                } else {
                    log("a GPU was asked for but this ONNX Runtime has no CUDA provider " + env.getAvailableProviders()
                            + "; running on the CPU");
                }
            }
            Model loaded = new ModelLoader(env, json).load(opts.modelName(), dir, so);
            log("model loaded in " + ms(ticker, t) + " ms: inputs " + loaded.inputs() + ", outputs " + loaded.outputs());
            // The warm-up runs the model directly, so that the metrics count only what clients asked for.
            t = ticker.nanos();
            loaded.infer(warmUp(loaded));
            long warmUpMs = ms(ticker, t);
            Model model = metrics.instrument(loaded);
            boolean batch = switch (opts.batching()) {
                case "on" -> {
                    if (!model.batchable()) {
                        throw new IllegalStateException("--batching on, but the model has no dynamic batch dimension on every "
                                + "input and output");
                    }
                    yield true;
                }
                case "off" -> false;
                default -> model.batchable();
            };
            int workers = Math.max(1, opts.workers());
            engine[0] = metrics.instrument(batch
                    ? new DynamicBatcher(model, opts.batch(), ticker, named("batcher"), workers)
                    : new DirectEngine(model, Executors.newFixedThreadPool(workers, named("infer"))));
            log("warm-up inference in " + warmUpMs + " ms; batching " + (batch ? "on " + opts.batch() : "off")
                    + ", " + workers + " workers");
            endpoint.ready(model, engine[0]);
            log("ready in " + ms(ticker, start) + " ms since start");
        } catch (Exception | Error e) {
            log("failed: " + dev.tide.common.text.Failures.describe(e));
            System.exit(1);
        }
    }

    /** One row of zeros (or one short string) shaped as the model's inputs, dynamic dimensions taken as 1. */
    static List<Tensor> warmUp(Model model) {
        List<Tensor> out = new ArrayList<>();
        for (TensorSpec s : model.inputs()) {
            long[] shape = Arrays.stream(s.shape()).map(d -> d < 0 ? 1 : d).toArray();
            if (s.datatype() == Datatype.BYTES) {
                List<byte[]> values = new ArrayList<>();
                for (long i = 0; i < Tensor.elements(shape); i++) {
                    values.add((model instanceof TextEmbeddingModel ? "Warm up the model." : "").getBytes(StandardCharsets.UTF_8));
                }
                out.add(Tensor.strings(s.name(), shape, values));
            } else {
                out.add(Tensor.numeric(s.name(), s.datatype(), shape,
                        ByteBuffer.allocateDirect((int) Tensor.elements(shape) * s.datatype().size())));
            }
        }
        return out;
    }

    private static ThreadFactory named(String prefix) {
        return Thread.ofPlatform().name(prefix + "-", 1).daemon().factory();
    }

    private static long ms(Ticker ticker, long since) {
        return (ticker.nanos() - since) / 1_000_000;
    }

    private static void log(String line) {
        System.out.println("tide-modelserver: " + line);
    }
}
