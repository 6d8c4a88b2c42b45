package dev.tide.modelserver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tide.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model cache against a real HTTP server that counts what it serves. */
class ModelCacheTest {

    @TempDir
    Path tmp;

    private HttpServer http;
    private final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T10:00:00Z"));
    private String base;
    private volatile CountDownLatch acquiring = new CountDownLatch(0);

    @BeforeEach
    void start() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            gets.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            byte[] body = files.get(path);
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                try {
                    // Answer only once every acquirer is inside acquire(): they all overlap this fetch.
                    acquiring.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        http.setExecutor(Executors.newFixedThreadPool(8));
        http.start();
        base = "http://127.0.0.1:" + http.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    private ModelCache cache(long quota) {
        HttpClient client = HttpClient.newHttpClient();
        return new ModelCache(tmp.resolve("cache"), new ModelCache.Limits(quota, 0.95, 0.7),
                Map.of("http", new HttpFetcher(client)), Map.of("models", tmp), clock, new ObjectMapper());
    }

    @Test
    void concurrentAcquiresFetchOnceAndShareTheEntry() throws Exception {
        files.put("/m/model.onnx", new byte[200_000]);
        ModelCache cache = cache(1L << 30);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        acquiring = new CountDownLatch(8);
        List<Future<ModelCache.Lease>> leases = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            leases.add(pool.submit(() -> {
                acquiring.countDown();
                return cache.acquire(base + "/m/model.onnx");
            }));
        }
        Path dir = null;
        for (Future<ModelCache.Lease> f : leases) {
            ModelCache.Lease l = f.get();
            dir = dir == null ? l.dir() : dir;
            assertThat(l.dir()).isEqualTo(dir);
            assertThat(Files.size(l.dir().resolve("model.onnx"))).isEqualTo(200_000);
        }
        assertThat(gets.get("/m/model.onnx").get()).isEqualTo(1);
        assertThat(cache.misses()).isEqualTo(1);
        assertThat(cache.hits()).isEqualTo(7);
        assertThat(cache.list()).singleElement().satisfies(e -> {
            assertThat(e.bytes()).isEqualTo(200_000);
            assertThat(e.inUse()).isTrue();
        });
        pool.shutdown();
    }

    @Test
    void archivesAreUnpackedAndATornEntryIsFetchedAgain() throws Exception {
        files.put("/m.tar.gz", tarGz(Map.of("model.onnx", "onnx bytes", "sub/tokenizer.json", "{}")));
        ModelCache cache = cache(1L << 30);
        Path dir;
        try (ModelCache.Lease l = cache.acquire(base + "/m.tar.gz")) {
            dir = l.dir();
            assertThat(Files.readString(dir.resolve("model.onnx"))).isEqualTo("onnx bytes");
            assertThat(Files.readString(dir.resolve("sub/tokenizer.json"))).isEqualTo("{}");
        }
        Files.writeString(dir.resolve("model.onnx"), "torn"); // a size the manifest does not know
        try (ModelCache.Lease l = cache.acquire(base + "/m.tar.gz")) {
            assertThat(l.hit()).isFalse();
            assertThat(Files.readString(l.dir().resolve("model.onnx"))).isEqualTo("onnx bytes");
        }
        assertThat(gets.get("/m.tar.gz").get()).isEqualTo(2);
    }

    @Test
    void evictionKeepsModelsInUseAndStopsAtTheLowWatermark() throws Exception {
        // Quota 1000 bytes: high 950, low 700. Four 300-byte models.
        for (String m : List.of("a", "b", "c", "d")) {
            files.put("/" + m + "/model.onnx", new byte[300]);
        }
        ModelCache cache = cache(1000);
        ModelCache.Lease a = cache.acquire(base + "/a/model.onnx");       // oldest, but in use
        clock.advance(Duration.ofMinutes(1));
        cache.acquire(base + "/b/model.onnx").close();
        clock.advance(Duration.ofMinutes(1));
        cache.acquire(base + "/c/model.onnx").close();                  // 900 bytes: below high, nothing evicted
        assertThat(cache.list()).hasSize(3);
        clock.advance(Duration.ofMinutes(1));
        cache.acquire(base + "/d/model.onnx").close();                  // 1200 > 950: evict LRU not in use down to <= 700
        List<String> left = cache.list().stream().map(ModelCache.Entry::uri).toList();
        assertThat(left).containsExactly(base + "/a/model.onnx", base + "/d/model.onnx");
        assertThat(cache.evictions()).isEqualTo(2);
        assertThat(cache.usedBytes()).isEqualTo(600);
        assertThat(cache.evict(cache.list().get(0))).as("a is in use").isFalse();
        a.close();
        assertThat(cache.evict(cache.list().get(0))).isTrue();
    }

    @Test
    void localPathsAreServedInPlaceAndErrorsNameTheUri() throws Exception {
        Files.createDirectories(tmp.resolve("local"));
        ModelCache cache = cache(1L << 30);
        assertThat(cache.acquire("file://" + tmp.resolve("local")).dir()).isEqualTo(tmp.resolve("local"));
        assertThat(cache.acquire("pvc://models/local").dir()).isEqualTo(tmp.resolve("local"));
        assertThatThrownBy(() -> cache.acquire("pvc://nope/x")).hasMessageContaining("no local volume named \"nope\"");
        assertThatThrownBy(() -> cache.acquire("gs://bucket/x")).hasMessageContaining("scheme gs:// is not one Tide reads");
        assertThatThrownBy(() -> cache.acquire(base + "/missing.onnx")).hasMessage("GET " + base + "/missing.onnx answered 404");
        assertThat(cache.list()).isEmpty();
    }

    static byte[] tarGz(Map<String, String> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                byte[] b = e.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry te = new TarArchiveEntry(e.getKey());
                te.setSize(b.length);
                tar.putArchiveEntry(te);
                tar.write(b);
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }
}
