package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tide.common.time.ExecutorScheduler;
import dev.tide.common.time.Ticker;
import dev.tide.dataplane.gateway.ClientLimits;
import dev.tide.dataplane.gateway.Endpoints;
import dev.tide.dataplane.gateway.Gateway;
import dev.tide.dataplane.gateway.RevisionEndpoint;
import dev.tide.dataplane.gateway.Transport;
import dev.tide.dataplane.routing.RevisionKey;
import dev.tide.dataplane.routing.RoutingTable;
import dev.tide.it.fixtures.FixtureServer;
import dev.tide.it.fixtures.H2cFixtureServer;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.process.ProcessRuntime;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data plane on real ports in front of real replica processes: the gate at zero scale (the activator's job),
 * containerConcurrency (queue-proxy's job), timeouts, the traffic split and routing.
 */
class GatewayIT {

    private static final String HOST = "hello.default.example.com";
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The ingress's limits with a head timeout short enough for a test to wait out. */
    private static final ClientLimits LIMITS = new ClientLimits(Duration.ofSeconds(2), Duration.ofSeconds(75), 5_000, 8192, 32768);

    @TempDir
    Path state;

    private ScheduledExecutorService timers;
    private ExecutorService blocking;
    private EventLoopGroup loops;
    private ProcessRuntime runtime;
    private final Endpoints endpoints = new Endpoints();
    private Gateway gateway;
    private HttpClient http;

    @BeforeEach
    void setUp() throws InterruptedException {
        timers = Executors.newSingleThreadScheduledExecutor();
        blocking = Executors.newVirtualThreadPerTaskExecutor();
        loops = new MultiThreadIoEventLoopGroup(2, Transport.best().ioHandlers()); // as the launcher makes them
        runtime = new ProcessRuntime(new ExecutorScheduler(timers), blocking, state, ReplicaRuntime.DrainGate.immediate());
        // What the launcher will do: keep each revision's endpoint in step with its ready replicas.
        runtime.addListener(changed -> {
            RevisionEndpoint ep = endpoints.get(new RevisionKey(changed.namespace(), changed.revision()));
            if (ep != null) {
                ep.refreshReplicas(() -> runtime.replicas().stream()
                        .filter(r -> r.revision().equals(changed.revision()) && r.routable())
                        .map(r -> new RevisionEndpoint.Backend(r.id(), r.host(), r.port())).toList());
            }
        });
        gateway = new Gateway(endpoints, loops, new InetSocketAddress("127.0.0.1", 0), Ticker.system(), new SplittableRandom(7),
                LIMITS).start();
        http = HttpClient.newBuilder().executor(blocking).build();
    }

    @AfterEach
    void tearDown() {
        http.close();
        gateway.close();
        runtime.shutdown(Duration.ofSeconds(10));
        loops.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        timers.shutdownNow();
        blocking.shutdownNow();
    }

    private RevisionEndpoint revision(String name, int containerConcurrency, Duration timeout) {
        return revision(name, containerConcurrency, false, timeout);
    }

    private RevisionEndpoint revision(String name, int containerConcurrency, boolean h2c, Duration timeout) {
        RevisionEndpoint ep = new RevisionEndpoint(new RevisionKey("default", name), containerConcurrency, h2c, timeout,
                new ExecutorScheduler(timers), new SplittableRandom(3), () -> { });
        endpoints.put(ep);
        return ep;
    }

    private Replica replica(String revision, String... args) {
        return replica(FixtureServer.command(), revision, args);
    }

    private Replica replica(List<String> command, String revision, String... args) {
        Replica r = runtime.start(new ReplicaSpec("default", "hello", "hello", revision, command, List.of(args), Map.of(), null,
                ProbeSpec.defaultReadiness(), null, Duration.ofSeconds(5), Duration.ofSeconds(2)));
        await().atMost(WAIT).until(() -> runtime.replicas().stream().anyMatch(x -> x.id().equals(r.id()) && x.routable()));
        return r;
    }

    private CompletableFuture<HttpResponse<String>> send(String host, String path) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("Host", host).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void route(String host, RoutingTable.Target... targets) {
        endpoints.setTable(RoutingTable.builder().host(host, List.of(targets)).model("hello", host).build());
    }

    @Test
    void aRequestWaitsAtZeroScaleAndGoesOutWhenAReplicaIsReady() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        CompletableFuture<HttpResponse<String>> waiting = send(HOST, "/");
        await().atMost(WAIT).until(() -> ep.stats().inFlight() == 1);
        assertThat(waiting).isNotDone();
        replica("hello-00001");
        HttpResponse<String> r = waiting.get();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("revision=hello-00001");
    }

    @Test
    void containerConcurrencyOneServesQueuedRequestsOneAtATime() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 1, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        replica("hello-00001", "--sleep-ms", "100");
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(send(HOST, "/"));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).endsWith("maxInFlight=1");
        }
    }

    @Test
    void withTheActivatorInThePathABurstOfFortyAtContainerConcurrencyOneAllSucceed() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 1, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        replica("hello-00001", "--sleep-ms", "100");
        ep.setActivatorInPath(true);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            all.add(send(HOST, "/"));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get();
            assertThat(r.statusCode()).as("the activator queues up to 10,000 per revision").isEqualTo(200);
            assertThat(r.body()).endsWith("maxInFlight=1");
        }
    }

    @Test
    void withoutTheActivatorBeyondTheQueueProxyQueueRequestsGet503() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 1, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        replica("hello-00001", "--sleep-ms", "400");
        ep.setActivatorInPath(false);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            all.add(send(HOST, "/"));
        }
        Map<Integer, Long> byStatus = new java.util.HashMap<>();
        List<String> rejections = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get();
            byStatus.merge(r.statusCode(), 1L, Long::sum);
            if (r.statusCode() == 503) {
                rejections.add(r.body().strip());
            }
        }
        assertThat(byStatus).as("1 running + 10 queued, the rest refused").containsEntry(200, 11L).containsEntry(503, 2L);
        assertThat(rejections).containsOnly("pending request queue full");
    }

    @Test
    void aSlowReplicaGets504AfterTheTimeout() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(1));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        replica("hello-00001", "--sleep-ms", "5000");
        HttpResponse<String> r = send(HOST, "/").get();
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.body().strip()).isEqualTo("request timeout");
        await().atMost(WAIT).until(() -> ep.stats().inFlight() == 0);
    }

    @Test
    void noReplicaInTimeIs504Too() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(1));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        HttpResponse<String> r = send(HOST, "/").get();
        assertThat(r.statusCode()).isEqualTo(504);
    }

    @Test
    void aSeventyThirtySplitHoldsWithinFivePercentOver2000Requests() throws Exception {
        RevisionEndpoint a = revision("hello-00001", 0, Duration.ofSeconds(60));
        RevisionEndpoint b = revision("hello-00002", 0, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(a.key(), 70), new RoutingTable.Target(b.key(), 30));
        replica("hello-00001");
        replica("hello-00002");
        List<String> revisions = new ArrayList<>();
        for (int batch = 0; batch < 20; batch++) {
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                inFlight.add(send(HOST, "/"));
            }
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                HttpResponse<String> r = f.get();
                assertThat(r.statusCode()).isEqualTo(200);
                revisions.add(r.body().split(" ")[0]);
            }
        }
        Map<String, Long> counts = revisions.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
        assertThat(counts.get("revision=hello-00001")).isBetween(1300L, 1500L);
        assertThat(counts.get("revision=hello-00002")).isBetween(500L, 700L);
    }

    @Test
    void anAffinityCookieKeepsAClientOnItsReplica() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(60));
        ep.setAffinity(new RevisionEndpoint.Affinity("sd", 1800));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        replica("hello-00001");
        replica("hello-00001");
        HttpResponse<String> first = send(HOST, "/").get();
        String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("sd=hello-00001-").contains("Max-Age=1800");
        String pid = first.body().split(" ")[1];
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/"))
                    .header("Host", HOST).header("Cookie", cookie.split(";")[0]).build(), HttpResponse.BodyHandlers.ofString()).get();
            assertThat(r.body().split(" ")[1]).isEqualTo(pid);
        }
        java.util.Set<String> withoutCookie = new java.util.HashSet<>();
        for (int i = 0; i < 40; i++) {
            withoutCookie.add(send(HOST, "/").get().body().split(" ")[1]);
        }
        assertThat(withoutCookie).as("without the cookie both replicas serve").hasSize(2);
    }

    /** What the ingress answers to {@code raw}, read until it closes (or the socket's timeout). */
    private String exchange(String raw, boolean halfClose) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gateway.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(raw.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            if (halfClose) {
                s.shutdownOutput();
            }
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Three replicas under a steady mix of POSTs and GETs, each killed with SIGKILL in turn. A request that never
     * reached the dead replica (its port refused, or its connection was found closed) goes to another one; only a
     * POST that the replica had already taken may get 502, since it may have run.
     */
    @Test
    void replicaCrashesGiveNo502ToRequestsThatNeverReachedTheDeadReplica() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        List<Replica> victims = List.of(replica("hello-00001"), replica("hello-00001"), replica("hello-00001"));
        await().atMost(WAIT).until(() -> ep.readyReplicas() == 3);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger takenThenLost = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        List<java.util.concurrent.Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            boolean posts = c % 2 == 0;
            clients.add(blocking.submit(() -> {
                while (!stop.get()) {
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + (posts ? "/upload" : "/")))
                            .header("Host", HOST).timeout(Duration.ofSeconds(60));
                    HttpRequest request = posts ? b.POST(HttpRequest.BodyPublishers.ofString("x".repeat(256))).build() : b.GET().build();
                    try {
                        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                        answered.incrementAndGet();
                        if (posts && r.statusCode() == 502 && r.body().contains("upstream closed the connection before responding")) {
                            takenThenLost.incrementAndGet();
                        } else if (r.statusCode() != 200) {
                            failures.add(request.method() + " " + r.statusCode() + " " + r.body().strip());
                        }
                    } catch (java.io.IOException e) {
                        takenThenLost.incrementAndGet(); // a response the replica had begun, cut short by its death
                    }
                }
                return null;
            }));
        }
        for (Replica victim : victims) {
            long pid = runtime.replicas().stream().filter(x -> x.id().equals(victim.id())).findFirst().orElseThrow().pid();
            int before = answered.get();
            await().atMost(WAIT).until(() -> answered.get() >= before + 200); // the load flows to every replica
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            await().atMost(WAIT).until(() -> runtime.replicas().stream()
                    .anyMatch(x -> x.id().equals(victim.id()) && x.routable() && x.pid() != pid));
        }
        int before = answered.get();
        await().atMost(WAIT).until(() -> answered.get() >= before + 200);
        stop.set(true);
        for (java.util.concurrent.Future<?> f : clients) {
            f.get();
        }
        System.out.printf("crash test: %d answered, %d taken by a replica and then lost, %d failures%n", answered.get(),
                takenThenLost.get(), failures.size());
        assertThat(failures).as("requests that never reached a dead replica, and GETs, go to another").isEmpty();
    }

    @Test
    void threeHundredHalfSentHeadsGet408WithinTheTimeoutWhileARequestStillSucceeds() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        replica("hello-00001");
        List<java.net.Socket> slow = new java.util.ArrayList<>();
        try {
            long start = System.nanoTime();
            for (int i = 0; i < 300; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", gateway.port());
                s.setSoTimeout(20_000);
                s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                slow.add(s);
            }
            assertThat(send(HOST, "/").get().statusCode()).isEqualTo(200);
            for (java.net.Socket s : slow) {
                assertThat(new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII))
                        .startsWith("HTTP/1.1 408 Request Timeout");
            }
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            // All 300 within the 2 s timeout plus the time it took to open them and the timer's slack.
            assertThat(tookMs).isLessThan(10_000);
        } finally {
            for (java.net.Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void malformedRequestsGetTheirStatusAndAHalfClosedClientItsAnswer() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        replica("hello-00001");
        assertThat(exchange("GET / HTTP/9.9\r\nHost: " + HOST + "\r\n\r\n", false)).startsWith("HTTP/1.1 505 ");
        assertThat(exchange("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nHost: other\r\n\r\n", false))
                .startsWith("HTTP/1.1 400 ").contains("more than one Host header");
        assertThat(exchange("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n", false)).startsWith("HTTP/1.1 414 ");
        assertThat(exchange("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n", false))
                .startsWith("HTTP/1.1 431 ");
        assertThat(exchange("POST /upload HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n", false))
                .startsWith("HTTP/1.1 400 ").contains("bad chunk framing");
        String halfClosed = exchange("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n", true);
        assertThat(halfClosed).startsWith("HTTP/1.1 200 ").contains("revision=hello-00001");
    }

    @Test
    void unknownHostsGet404AndModelPathsRouteWithoutAHost() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        HttpResponse<String> unknown = send("nope.default.example.com", "/").get();
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no route for host \"nope.default.example.com\"");
        replica("hello-00001");
        HttpResponse<String> byModel = send("127.0.0.1", "/v1/models/hello:predict").get();
        assertThat(byModel.statusCode()).isEqualTo(200);
        assertThat(byModel.body()).startsWith("revision=hello-00001");
    }

    @Test
    void aChunkedBodyLargerThanAnyBufferStreamsThroughWhole() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        replica("hello-00001");
        long size = 96L << 20; // well past the 64 MiB the gateway once held whole
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[1 << 20];
        new SplittableRandom(11).nextBytes(block);
        for (long i = 0; i < size / block.length; i++) {
            sha.update(block);
        }
        // A stream of unknown length goes out chunked.
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/upload"))
                .header("Host", HOST).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new RepeatingStream(block, size / block.length))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("bytes=" + size + " sha256=" + HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void aClientThatDoesNotReadHoldsTheReplicaBackInsteadOfFillingTide() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        Replica replica = replica("hello-00001");
        long total = 1L << 30;
        try (Socket client = new Socket("127.0.0.1", gateway.port())) {
            client.getOutputStream().write(("GET /download?bytes=" + total + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // The client reads nothing. The replica keeps writing until every buffer between it and the client is
            // full, then waits; without backpressure Tide would take the whole gigabyte into its own memory.
            long[] last = {-1};
            int[] still = {0};
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                long now = written(replica);
                still[0] = now == last[0] ? still[0] + 1 : 0;
                last[0] = now;
                return still[0] >= 5; // unchanged for a second
            });
            assertThat(last[0]).as("bytes the replica wrote to a client that reads nothing").isLessThan(128L << 20);
            // And it resumes when the client reads.
            long read = 0;
            byte[] buf = new byte[1 << 16];
            InputStream in = client.getInputStream();
            while (read < (256L << 20)) {
                int n = in.read(buf);
                assertThat(n).isPositive();
                read += n;
            }
            assertThat(written(replica)).isGreaterThan(256L << 20);
        }
    }

    private long written(Replica replica) throws Exception {
        return Long.parseLong(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port() + "/written")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void h2cClientsAreServedStreamByStream() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        replica("hello-00001");
        // h2load (nghttp2) speaks HTTP/2 with prior knowledge to an http:// URL: 400 requests, 8 at a time on each of
        // 2 connections.
        Exec.Result load = Exec.run(List.of("h2load", "-n", "400", "-c", "2", "-m", "8", "-H", ":authority: " + HOST,
                "http://127.0.0.1:" + gateway.port() + "/"), null, 60);
        assertThat(load.rc()).as("%s", load).isZero();
        assertThat(load.out()).as("%s", load).contains("Application protocol: h2c")
                .contains("requests: 400 total, 400 started, 400 done, 400 succeeded, 0 failed, 0 errored, 0 timeout")
                .contains("status codes: 400 2xx");
        // A gRPC call to this HTTP/1.1 revision would lose its trailers on the way: gRPC's own answer says why, as
        // does one to a host with no route.
        for (String[] call : List.of(new String[] {HOST, "12", "revision default/hello-00001 speaks HTTP/1.1; gRPC needs HTTP/2 to "
                + "the replica: name its container port h2c"}, new String[] {"nowhere.example.com", "12", "no route for host"})) {
            Exec.Result grpc = Exec.run(List.of("nghttp", "-v", "-H", ":authority: " + call[0], "-H", "content-type: application/grpc",
                    "-H", "te: trailers", "-d", "/dev/null", "http://127.0.0.1:" + gateway.port() + "/inference.GRPCInferenceService/ServerLive"),
                    null, 60);
            assertThat(grpc.out()).as("%s", grpc).contains(":status: 200", "content-type: application/grpc", "grpc-status: " + call[1])
                    .contains("grpc-message: " + call[2]);
        }
        // A body streams up a stream too (curl, HTTP/2 with prior knowledge).
        Path body = state.resolve("body.bin");
        byte[] bytes = new byte[5 << 20];
        new SplittableRandom(5).nextBytes(bytes);
        Files.write(body, bytes);
        Exec.Result upload = Exec.run(List.of("curl", "-sS", "--http2-prior-knowledge", "-H", "Host: " + HOST, "--data-binary",
                "@" + body, "-w", " %{http_version}", "http://127.0.0.1:" + gateway.port() + "/upload"), null, 60);
        assertThat(upload.out()).isEqualTo("bytes=" + bytes.length + " sha256="
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)) + " 2");
    }

    /** {@code block}, {@code times} times over, without holding more than one block. */
    private static final class RepeatingStream extends InputStream {
        private final byte[] block;
        private long left;
        private int at;

        RepeatingStream(byte[] block, long times) {
            this.block = block;
            this.left = times;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = Math.min(len, block.length - at);
            System.arraycopy(block, at, b, off, n);
            at += n;
            if (at == block.length) {
                at = 0;
                left--;
            }
            return n;
        }
    }

    @Test
    void aReplicaThatSpeaksOnlyH2cGetsEachRequestAsAStreamWithItsTrailers() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, true, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        replica(H2cFixtureServer.command(), "hello-00001");
        // An HTTP/1.1 client: its request goes to the replica as an HTTP/2 stream, the answer comes back chunked.
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/x"))
                .version(HttpClient.Version.HTTP_1_1).header("Host", HOST).POST(HttpRequest.BodyPublishers.ofString("abc")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("revision=hello-00001 protocol=HTTP/2 path=/v1/x bytes=3");
        // An h2c client, as gRPC's are: the replica's trailer reaches it (nghttp prints frames as they come).
        Path body = state.resolve("h2c-body.bin");
        byte[] bytes = new byte[3 << 20];
        new SplittableRandom(9).nextBytes(bytes);
        Files.write(body, bytes);
        Exec.Result nghttp = Exec.run(List.of("nghttp", "-v", "-d", body.toString(), "-H", ":authority: " + HOST,
                "http://127.0.0.1:" + gateway.port() + "/upload"), null, 60);
        assertThat(nghttp.rc()).as("%s", nghttp).isZero();
        assertThat(nghttp.out()).as("%s", nghttp).contains(":status: 200")
                .contains("revision=hello-00001 protocol=HTTP/2 path=/upload bytes=" + bytes.length)
                .contains("x-body-sha256: " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        // Many streams at once over two client connections, all on the replica's one connection.
        Exec.Result load = Exec.run(List.of("h2load", "-n", "300", "-c", "2", "-m", "10", "-H", ":authority: " + HOST,
                "http://127.0.0.1:" + gateway.port() + "/"), null, 60);
        assertThat(load.out()).as("%s", load).contains("requests: 300 total, 300 started, 300 done, 300 succeeded")
                .contains("status codes: 300 2xx");
    }

    @Test
    void aBodyTheReplicaEndsByClosingReachesAKeepAliveClientChunked() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        // Python's http.server speaks HTTP/1.0 and, unless told, sends no Content-Length: its body ends with the close.
        replica(List.of("python3", "-c", """
                import http.server, os
                class H(http.server.BaseHTTPRequestHandler):
                    def do_GET(self):
                        self.send_response(200)
                        self.end_headers()
                        self.wfile.write(b"no length, from " + os.environ["K_REVISION"].encode())
                http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
                """), "hello-00001");
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(blocking).build();
        for (int i = 0; i < 3; i++) {
            // Without framing from Tide the client would wait for a close that never comes (the connection is kept).
            HttpResponse<String> r = http11.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/"))
                    .header("Host", HOST).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(r.headers().firstValue("transfer-encoding")).hasValue("chunked");
            assertThat(r.body()).isEqualTo("no length, from hello-00001");
        }
        http11.close();
    }

    @Test
    void anExpectContinueUploadGetsItsContinueFromTideAndKeepsTheConnection() throws Exception {
        RevisionEndpoint ep = revision("hello-00001", 0, Duration.ofSeconds(60));
        route(HOST, new RoutingTable.Target(ep.key(), 100));
        replica("hello-00001");
        Path body = state.resolve("expect.bin");
        byte[] bytes = new byte[2 << 20];
        new SplittableRandom(3).nextBytes(bytes);
        Files.write(body, bytes);
        String expected = "bytes=" + bytes.length + " sha256=" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        // curl sends the same upload twice, each waiting for "100 Continue", and reuses its connection when it may.
        String url = "http://127.0.0.1:" + gateway.port() + "/upload";
        Exec.Result curl = Exec.run(List.of("curl", "-sSv", "--http1.1", "-H", "Host: " + HOST, "-H", "Expect: 100-continue",
                "--data-binary", "@" + body, url, url), null, 60);
        assertThat(curl.rc()).as("%s", curl).isZero();
        assertThat(curl.out()).isEqualTo(expected + expected);
        assertThat(curl.err()).as("%s", curl).contains("< HTTP/1.1 100 Continue").contains("Re-using existing connection");
    }
}
