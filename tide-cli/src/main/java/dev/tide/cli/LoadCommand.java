package dev.tide.cli;

import dev.tide.api.Json;
import dev.tide.api.ResourceTypes;
import dev.tide.common.text.GoDuration;
import dev.tide.common.time.Ticker;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tide load}: a load generator with hey's flags and hey's summary, so numbers read the same as the seeds' stress
 * tests. A target without {@code ://} is a Knative Service or InferenceService name: its URL's host goes in the Host
 * header and the request goes to Tide's ingress.
 */
@Command(name = "load", description = "Send load to a URL or a service, as hey does, and print hey's summary.")
final class LoadCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "a URL, or the name of a Knative Service or InferenceService")
    String target;

    @Option(names = "-c", defaultValue = "50", description = "concurrent workers (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "-n", defaultValue = "200", description = "requests in all (default: ${DEFAULT-VALUE}); ignored with -z")
    int requests;

    @Option(names = "-z", description = "run for this long instead of -n requests: 10s, 2m, 500ms")
    String duration;

    @Option(names = "-q", defaultValue = "0", description = "rate limit per worker, requests/second (0: none)")
    double rate;

    @Option(names = "-m", defaultValue = "GET", description = "method (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "-d", description = "request body")
    String body;

    @Option(names = "-D", description = "request body from a file")
    Path bodyFile;

    @Option(names = "-H", description = "a header, \"Name: value\"; repeatable")
    List<String> headers = new ArrayList<>();

    @Option(names = "-T", defaultValue = "text/html", description = "Content-Type (default: ${DEFAULT-VALUE})")
    String contentType;

    @Option(names = "-host", description = "the Host header")
    String host;

    @Option(names = "-t", defaultValue = "20", description = "timeout per request in seconds (default: ${DEFAULT-VALUE}; 0: none)")
    int timeoutSeconds;

    @Option(names = "-o", description = "csv (one line per request) or json (the summary) instead of hey's text")
    String output;

    @Option(names = "--server", defaultValue = "http://127.0.0.1:8081", description = "Tide's API, to look a service up")
    URI server;

    @Option(names = "--ingress", defaultValue = "http://127.0.0.1:8080", description = "Tide's ingress, for a service name")
    URI ingress;

    @Option(names = "--namespace", defaultValue = "default", description = "the service's namespace")
    String namespace;

    /** One answered (or failed) request. */
    record Result(long startNanos, long latencyNanos, int status, long bytes, String error) {
    }

    @Override
    public Integer call() throws Exception {
        URI uri = resolve();
        byte[] payload = bodyFile != null ? Files.readAllBytes(bodyFile) : body != null ? body.getBytes(java.nio.charset.StandardCharsets.UTF_8) : new byte[0];
        HttpRequest.Builder template = HttpRequest.newBuilder(uri).method(method.toUpperCase(Locale.ROOT),
                payload.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(payload));
        if (payload.length > 0) {
            template.header("Content-Type", contentType);
        }
        if (timeoutSeconds > 0) {
            template.timeout(Duration.ofSeconds(timeoutSeconds));
        }
        template.header("User-Agent", "tide-load/" + Main.version());
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("-H expects \"Name: value\", got \"" + h + "\"");
            }
            template.header(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
        }
        if (host != null) {
            template.header("Host", host);
        }
        HttpRequest request = template.build();
        Ticker ticker = Ticker.system();
        long deadline = duration == null ? Long.MAX_VALUE : ticker.nanos() + GoDuration.parse(duration).toNanos();
        AtomicInteger tickets = new AtomicInteger(duration == null ? requests : Integer.MAX_VALUE);
        List<List<Result>> perWorker = new ArrayList<>();
        long start = ticker.nanos();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                List<Result> mine = new ArrayList<>();
                perWorker.add(mine);
                workers.submit(() -> work(http, request, ticker, tickets, deadline, mine));
            }
            workers.shutdown();
            boolean live = System.console() != null && output == null;
            while (!workers.awaitTermination(250, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (live) {
                    int done = perWorker.stream().mapToInt(List::size).sum();
                    System.err.printf("\r  %d requests, %.1f s", done, (ticker.nanos() - start) / 1e9);
                }
            }
            if (live) {
                System.err.print("\r\033[K");
            }
        }
        double total = (ticker.nanos() - start) / 1e9;
        List<Result> all = new ArrayList<>();
        perWorker.forEach(all::addAll);
        all.sort(java.util.Comparator.comparingLong(Result::startNanos));
        if ("csv".equals(output)) {
            System.out.println("response-time,status-code,offset");
            for (Result r : all) {
                System.out.printf(Locale.ROOT, "%.4f,%d,%.4f%n", r.latencyNanos() / 1e9, r.status(), (r.startNanos() - start) / 1e9);
            }
        } else if ("json".equals(output)) {
            System.out.println(Json.MAPPER.writeValueAsString(summary(all, total)));
        } else if (output == null) {
            print(all, total, System.out);
        } else {
            throw new IllegalArgumentException("-o must be csv or json, got " + output);
        }
        return 0;
    }

    private void work(HttpClient http, HttpRequest request, Ticker ticker, AtomicInteger tickets, long deadline, List<Result> out) {
        long interval = rate > 0 ? (long) (1e9 / rate) : 0;
        long next = ticker.nanos();
        while (ticker.nanos() < deadline && tickets.getAndDecrement() > 0) {
            if (interval > 0) {
                long wait = next - ticker.nanos();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // the rate limit is the point here: hey's -q
                }
                next += interval;
            }
            long t = ticker.nanos();
            try {
                HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                out.add(new Result(t, ticker.nanos() - t, r.statusCode(), r.body().length, null));
            } catch (java.io.IOException e) {
                out.add(new Result(t, ticker.nanos() - t, 0, 0, e.getClass().getSimpleName() + ": " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A URL as given, or a service's URL: its host in the Host header, sent to the ingress. */
    private URI resolve() {
        if (target.contains("://")) {
            return URI.create(target);
        }
        ApiClient api = new ApiClient(server);
        Optional<String> url = api.get(ResourceTypes.SERVICE, namespace, target).map(s -> Json.text(s.path("status"), "url"))
                .or(() -> api.get(ResourceTypes.INFERENCE_SERVICE, namespace, target).map(s -> Json.text(s.path("status"), "url")));
        String u = url.orElseThrow(() -> new IllegalArgumentException("no Knative Service or InferenceService \"" + target
                + "\" with a URL in namespace " + namespace + " (is it ready? tide get ksvc,isvc)"));
        if (host == null) {
            host = URI.create(u).getHost();
        }
        String path = URI.create(u).getRawPath();
        return ingress.resolve(path == null || path.isEmpty() ? "/" : path);
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1 < 0 ? 0
                : (int) Math.ceil(p / 100 * sorted.length) - 1)] / 1e9;
    }

    private static Map<String, Object> summary(List<Result> all, double total) {
        long[] ok = all.stream().filter(r -> r.error() == null).mapToLong(Result::latencyNanos).sorted().toArray();
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("requests", all.size());
        m.put("totalSeconds", total);
        m.put("requestsPerSecond", all.size() / total);
        if (ok.length > 0) {
            Map<String, Double> lat = new java.util.LinkedHashMap<>();
            for (int p : new int[] {10, 25, 50, 75, 90, 95, 99}) {
                lat.put("p" + p, percentile(ok, p));
            }
            lat.put("fastest", ok[0] / 1e9);
            lat.put("slowest", ok[ok.length - 1] / 1e9);
            lat.put("average", java.util.Arrays.stream(ok).average().orElse(0) / 1e9);
            m.put("latencySeconds", lat);
        }
        Map<String, Long> codes = new TreeMap<>();
        Map<String, Long> errors = new TreeMap<>();
        for (Result r : all) {
            if (r.error() == null) {
                codes.merge(Integer.toString(r.status()), 1L, Long::sum);
            } else {
                errors.merge(r.error(), 1L, Long::sum);
            }
        }
        m.put("statusCodes", codes);
        m.put("errors", errors);
        return m;
    }

    /** hey's summary, section for section (without its per-phase connection details, which Java's client does not expose). */
    static void print(List<Result> all, double total, PrintStream out) {
        long[] ok = all.stream().filter(r -> r.error() == null).mapToLong(Result::latencyNanos).sorted().toArray();
        long bytes = all.stream().mapToLong(Result::bytes).sum();
        out.println();
        out.println("Summary:");
        out.printf(Locale.ROOT, "  Total:\t%.4f secs%n", total);
        if (ok.length > 0) {
            out.printf(Locale.ROOT, "  Slowest:\t%.4f secs%n", ok[ok.length - 1] / 1e9);
            out.printf(Locale.ROOT, "  Fastest:\t%.4f secs%n", ok[0] / 1e9);
            out.printf(Locale.ROOT, "  Average:\t%.4f secs%n", java.util.Arrays.stream(ok).average().orElse(0) / 1e9);
        }
        out.printf(Locale.ROOT, "  Requests/sec:\t%.4f%n", all.size() / total);
        out.println("  ");
        out.printf("  Total data:\t%d bytes%n", bytes);
        out.printf("  Size/request:\t%d bytes%n", ok.length == 0 ? 0 : bytes / ok.length);
        if (ok.length > 0) {
            out.println();
            out.println("Response time histogram:");
            int buckets = 10;
            double fastest = ok[0] / 1e9;
            double slowest = ok[ok.length - 1] / 1e9;
            double step = (slowest - fastest) / buckets;
            int[] counts = new int[buckets + 1];
            for (long l : ok) {
                int b = step == 0 ? 0 : (int) Math.min(buckets, Math.floor((l / 1e9 - fastest) / step));
                counts[b]++;
            }
            int max = java.util.Arrays.stream(counts).max().orElse(1);
            for (int b = 0; b <= buckets; b++) {
                out.printf(Locale.ROOT, "  %.3f [%d]\t|%s%n", fastest + b * step, counts[b], "■".repeat(counts[b] * 40 / Math.max(1, max)));
            }
            out.println();
            out.println();
            out.println("Latency distribution:");
            for (int p : new int[] {10, 25, 50, 75, 90, 95, 99}) {
                out.printf(Locale.ROOT, "  %d%% in %.4f secs%n", p, percentile(ok, p));
            }
        }
        out.println();
        out.println("Status code distribution:");
        Map<Integer, Long> codes = new TreeMap<>();
        Map<String, Long> errors = new TreeMap<>();
        for (Result r : all) {
            if (r.error() == null) {
                codes.merge(r.status(), 1L, Long::sum);
            } else {
                errors.merge(r.error(), 1L, Long::sum);
            }
        }
        codes.forEach((code, n) -> out.printf("  [%d]\t%d responses%n", code, n));
        if (!errors.isEmpty()) {
            out.println();
            out.println("Error distribution:");
            errors.forEach((e, n) -> out.printf("  [%d]\t%s%n", n, e));
        }
    }
}
