package dev.tide.modelserver.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.common.time.Ticker;
import dev.tide.modelserver.batch.BatchPolicy;
import dev.tide.modelserver.batch.DynamicBatcher;
import dev.tide.modelserver.batch.InferenceEngine;
import dev.tide.modelserver.grpc.GrpcCalls;
import dev.tide.modelserver.http.ModelHttpServer;
import dev.tide.modelserver.model.Model;
import dev.tide.modelserver.model.ModelLoader;
import dev.tide.modelserver.protocol.ModelEndpoint;
import dev.tide.testing.onnx.OnnxModels;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model server's /metrics after known traffic: every request counted once, every row counted in one run. */
class ModelServerMetricsTest {

    @TempDir
    Path dir;

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as("%s in\n%s", series, scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void requestsAndBatchSizesAfterSixteenConcurrentRequests() throws Exception {
        ObjectMapper json = new ObjectMapper();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ModelServerMetrics metrics = new ModelServerMetrics(meters, "m");
        Model model = metrics.instrument(new ModelLoader(OrtEnvironment.getEnvironment(), json).load("m",
                OnnxModels.write(dir, OnnxModels.node("Identity", List.of("x"), List.of("y"), OnnxModels.FLOAT, "N", "2")),
                new OrtSession.SessionOptions()));
        InferenceEngine engine = metrics.instrument(new DynamicBatcher(model, new BatchPolicy(64, Duration.ofMillis(100)),
                Ticker.system(), Thread.ofPlatform().daemon().factory(), 1));
        ModelEndpoint endpoint = new ModelEndpoint("m", json, meters::scrape);
        endpoint.ready(model, engine);
        ExecutorService codec = Executors.newFixedThreadPool(2);
        try (GrpcCalls calls = GrpcCalls.forEndpoint(endpoint, codec, 1 << 20);
             ModelHttpServer server = new ModelHttpServer("127.0.0.1", 0, endpoint, calls, codec, 1 << 20, 1);
             HttpClient http = HttpClient.newHttpClient();
             ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            String url = "http://127.0.0.1:" + server.port();
            List<CompletableFuture<Integer>> replies = IntStream.range(0, 16).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(url + "/v2/models/m/infer")).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, callers)).toList();
            replies.forEach(r -> assertThat(r.join()).isEqualTo(200));
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            String s = scrape.body();
            assertThat(value(s, "tide_modelserver_inference_requests_total{model_name=\"m\",outcome=\"ok\"}")).isEqualTo(16);
            assertThat(value(s, "request_predict_seconds_count{model_name=\"m\"}")).isEqualTo(16);
            // Every row ran in exactly one run (how they were grouped is DynamicBatcherTest's).
            assertThat(value(s, "tide_modelserver_batch_size_sum{model_name=\"m\"}")).isEqualTo(16);
            assertThat(value(s, "tide_modelserver_batch_size_count{model_name=\"m\"}")).isBetween(1.0, 16.0);
        } finally {
            engine.close();
            codec.shutdown();
        }
    }
}
