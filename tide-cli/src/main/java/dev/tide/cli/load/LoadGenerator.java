package dev.tide.cli.load;

import dev.tide.common.time.Ticker;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * hey's load model: {@code c} workers, each sending one request after another (optionally rate-limited per worker),
 * until {@code n} requests in all or a deadline; and hey's summary of the results. Used by {@code tide load} and the
 * dashboard's stress-test panel.
 */
public final class LoadGenerator {

    /** One answered (or failed) request. */
    public record Result(long startNanos, long latencyNanos, int status, long bytes, String error) {
    }

    /** Every result in the order sent, the run's length and its start. */
    public record Run(List<Result> results, double seconds, long startNanos) {
    }

    /** Told of progress every 250 ms: requests done and seconds since the start. */
    @FunctionalInterface
    public interface Progress {
        void update(int done, double seconds);
    }

    private LoadGenerator() {
    }

    /**
     * Sends the load and waits for it to finish.
     *
     * @param total         requests in all (Integer.MAX_VALUE with a deadline)
     * @param deadlineNanos when to stop, on the ticker; Long.MAX_VALUE for none
     * @param rate          requests per second per worker; 0 for no limit
     * @param progress      null for none
     */
    public static Run run(HttpRequest request, int concurrency, int total, long deadlineNanos, double rate, Ticker ticker,
                          Progress progress) throws InterruptedException {
        AtomicInteger tickets = new AtomicInteger(total);
        List<List<Result>> perWorker = new ArrayList<>();
        long start = ticker.nanos();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                List<Result> mine = java.util.Collections.synchronizedList(new ArrayList<>());
                perWorker.add(mine);
                workers.submit(() -> work(http, request, ticker, tickets, deadlineNanos, rate, mine));
            }
            workers.shutdown();
            while (!workers.awaitTermination(250, TimeUnit.MILLISECONDS)) {
                if (progress != null) {
                    progress.update(perWorker.stream().mapToInt(List::size).sum(), (ticker.nanos() - start) / 1e9);
                }
            }
        }
        double seconds = (ticker.nanos() - start) / 1e9;
        List<Result> all = new ArrayList<>();
        perWorker.forEach(all::addAll);
        all.sort(java.util.Comparator.comparingLong(Result::startNanos));
        return new Run(all, seconds, start);
    }

    private static void work(HttpClient http, HttpRequest request, Ticker ticker, AtomicInteger tickets, long deadline, double rate,
                             List<Result> out) {
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

    /** The nearest-rank percentile in seconds: P90 of 20 sorted latencies is the 18th. */
    private static double percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)] / 1e9;
    }

    /** The summary as data: counts, requests/s, latency percentiles in seconds, status codes, errors. */
    public static Map<String, Object> summary(List<Result> all, double total) {
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
    public static void print(List<Result> all, double total, PrintStream out) {
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
