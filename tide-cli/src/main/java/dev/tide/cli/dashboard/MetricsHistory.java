package dev.tide.cli.dashboard;

import dev.tide.runtime.Replica;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The last hour of each revision's metrics at one-second resolution, kept in memory so the dashboard works without
 * Prometheus: requests/s, success rate, 4xx and 5xx per second, latency P50/P90/P95/P99, requests in flight, the
 * autoscaler's desired, actual and ready replicas and panic mode, its replicas' CPU and memory, and the load it
 * observes beside the predictive option's forecast of it. Read from the same
 * meters {@code /metrics} exposes, so both always agree.
 *
 * <p>Percentiles come from the latency histogram's bucket counts over the second, interpolated within a bucket as
 * Prometheus' {@code histogram_quantile} does. Example: 10 requests in a second, 6 in the 5-10 ms bucket and 4 in
 * 10-20 ms: P50 is rank 5, the fifth of the six in 5-10 ms, so 5 + (10 - 5) x 5/6 = 9.2 ms.
 *
 * <p>At scale most revisions are idle, at zero, every second looking like the one before. So a series stores runs: a
 * row is kept only when it differs from the last one, and stands for every second up to the next row (or the last
 * sample). 1,000 idle revisions thus hold one row each, not 3,600 (about 500 MB an hour); a busy one still holds at
 * most one per second. A revision's meters are indexed as they are registered and removed, so a sample visits only
 * revisions, never every meter; and a revision whose meters are all gone (it was deleted) loses its history, so a
 * Service created again under the same name starts afresh.
 *
 * <p>Also registers each replica's CPU time and resident memory with the meter registry
 * ({@code tide_replica_cpu_seconds_total}, {@code tide_replica_memory_bytes}).
 *
 * <p>Threading: one {@link #sample} at a time (the caller chains them); meters come and go on any thread; readers
 * take copies under the revision's lock.
 */
public final class MetricsHistory {

    /** The columns of every revision's series, in order. */
    public static final List<String> COLUMNS = List.of("t", "rps", "success", "rps4xx", "rps5xx", "p50", "p90", "p95", "p99",
            "concurrency", "desired", "actual", "ready", "panic", "cpu", "memory", "load", "forecast");

    static final int KEEP = 3600;
    private static final long PAGE_SIZE = 4096;
    /** Kinds of revision meter a row reads, besides the gauges' column numbers. */
    private static final int OK = -1;
    private static final int CLIENT_ERROR = -2;
    private static final int SERVER_ERROR = -3;
    private static final int OTHER = -4;
    private static final int LATENCY = -5;
    private static final int IGNORED = -6;

    private record Key(String namespace, String revision) {
    }

    /** A revision meter and what a row takes from it: a column for a gauge, else one of the kinds above. */
    private record Watched(Meter meter, int use) {
    }

    /** One revision's meters, its runs of rows and the cumulative counts seen at the last sample. */
    private static final class Series {
        final Set<Watched> meters = ConcurrentHashMap.newKeySet();
        /** Runs of equal rows; a run's {@code t} is its first second. Guarded by this. */
        final ArrayDeque<double[]> rows = new ArrayDeque<>();
        /** The second of the last sample; the last run lasts until it. Guarded by this. */
        long lastSecond;
        final double[] next = new double[COLUMNS.size()];
        double total = -1;
        double ok;
        double c4xx;
        double c5xx;
        long[] buckets = new long[0];
    }

    /** One replica's meters and its CPU time at the last sample. */
    private static final class ReplicaWatch {
        final List<Meter> meters = new ArrayList<>();
        volatile double cpuSeconds;
        volatile double memoryBytes;
        double lastCpu = -1;
        double cpuCores;
    }

    private final MeterRegistry registry;
    private final Supplier<List<Replica>> replicaList;
    private final Map<Key, Series> series = new ConcurrentHashMap<>();
    private final Map<String, ReplicaWatch> replicas = new HashMap<>();
    private final Map<String, double[]> replicaNow = new ConcurrentHashMap<>();

    /** @param replicas the replicas running now, whose CPU and memory are sampled */
    public MetricsHistory(MeterRegistry registry, Supplier<List<Replica>> replicas) {
        this.registry = registry;
        this.replicaList = replicas;
        registry.config().onMeterAdded(this::added).onMeterRemoved(this::removed);
        registry.getMeters().forEach(this::added);
    }

    private void added(Meter m) {
        Key key = key(m);
        if (key != null) {
            Watched w = new Watched(m, use(m));
            series.compute(key, (k, s) -> {
                Series out = s == null ? new Series() : s;
                out.meters.add(w);
                return out;
            });
        }
    }

    private void removed(Meter m) {
        Key key = key(m);
        if (key != null) {
            series.computeIfPresent(key, (k, s) -> {
                s.meters.removeIf(w -> w.meter() == m);
                return s.meters.isEmpty() ? null : s;
            });
        }
    }

    /** The revision a request or autoscaler meter belongs to; null for any other meter. */
    private static Key key(Meter m) {
        String name = m.getId().getName();
        if (!name.startsWith("revision_") && !name.startsWith("autoscaler_") && !name.startsWith("tide_autoscaler_")) {
            return null;
        }
        String ns = m.getId().getTag("namespace_name");
        String rev = m.getId().getTag("revision_name");
        return ns == null || rev == null ? null : new Key(ns, rev);
    }

    private static int use(Meter m) {
        return switch (m.getId().getName()) {
            case "revision_request_count" -> switch (String.valueOf(m.getId().getTag("response_code_class"))) {
                case "2xx", "3xx" -> OK;
                case "4xx" -> CLIENT_ERROR;
                case "5xx" -> SERVER_ERROR;
                default -> OTHER;
            };
            case "revision_request_latencies" -> LATENCY;
            case "revision_queue_depth" -> 9;
            // What Tide asks for after min/max scale (Knative's requested_pods): the scaling trend.
            case "autoscaler_requested_pods" -> 10;
            case "autoscaler_actual_pods" -> 11;
            case "autoscaler_ready_pods" -> 12;
            case "autoscaler_panic_mode" -> 13;
            case "tide_autoscaler_observed_load" -> 16;
            case "tide_autoscaler_forecast_load" -> 17;
            default -> IGNORED;
        };
    }

    /** Takes one row per revision, stamped {@code epochSecond}; call once a second. */
    public void sample(long epochSecond) {
        Map<Key, double[]> usage = sampleReplicas();
        for (Map.Entry<Key, Series> e : series.entrySet()) {
            Series s = e.getValue();
            double[] row = row(s, epochSecond);
            double[] u = usage.get(e.getKey());
            row[14] = u == null ? 0 : u[0];
            row[15] = u == null ? 0 : u[1];
            synchronized (s) {
                double[] last = s.rows.peekLast();
                if (last == null || !Arrays.equals(last, 1, row.length, row, 1, row.length)) {
                    s.rows.addLast(row.clone());
                }
                s.lastSecond = epochSecond;
                trim(s);
            }
        }
    }

    /** Drops the runs that ended before the window of {@link #KEEP} seconds that ends at the last sample. */
    private static void trim(Series s) {
        long first = s.lastSecond - KEEP + 1;
        while (s.rows.size() > 1) {
            double[] oldest = s.rows.pollFirst();
            if (s.rows.peekFirst()[0] > first) {
                s.rows.addFirst(oldest);
                return;
            }
        }
    }

    /** The series' next row, in its scratch array. */
    private static double[] row(Series s, long epochSecond) {
        double total = 0;
        double ok = 0;
        double c4xx = 0;
        double c5xx = 0;
        DistributionSummary latency = null;
        double[] row = s.next;
        Arrays.fill(row, Double.NaN);
        row[0] = epochSecond;
        for (Watched w : s.meters) {
            switch (w.use()) {
                case OK, CLIENT_ERROR, SERVER_ERROR, OTHER -> {
                    double v = ((Counter) w.meter()).count();
                    total += v;
                    switch (w.use()) {
                        case OK -> ok += v;
                        case CLIENT_ERROR -> c4xx += v;
                        case SERVER_ERROR -> c5xx += v;
                        default -> { }
                    }
                }
                case LATENCY -> latency = (DistributionSummary) w.meter();
                default -> {
                    if (w.use() >= 0) {
                        row[w.use()] = ((Gauge) w.meter()).value();
                    }
                }
            }
        }
        // The histogram moves only with the counts: an idle second needs no snapshot.
        if (latency != null && (total != s.total || s.buckets.length == 0)) {
            CountAtBucket[] counts = latency.takeSnapshot().histogramCounts();
            long[] buckets = new long[counts.length];
            double[] bounds = new double[counts.length];
            for (int i = 0; i < counts.length; i++) {
                buckets[i] = (long) counts[i].count();
                bounds[i] = counts[i].bucket();
            }
            double n = total - s.total;
            if (s.total >= 0 && n > 0 && buckets.length == s.buckets.length) {
                long[] delta = new long[buckets.length];
                for (int i = 0; i < buckets.length; i++) {
                    delta[i] = buckets[i] - s.buckets[i];
                }
                row[5] = quantile(0.50, n, bounds, delta);
                row[6] = quantile(0.90, n, bounds, delta);
                row[7] = quantile(0.95, n, bounds, delta);
                row[8] = quantile(0.99, n, bounds, delta);
            }
            s.buckets = buckets;
        }
        if (s.total >= 0) {
            double n = total - s.total;
            row[1] = n;
            row[2] = n > 0 ? (ok - s.ok) / n : Double.NaN;
            row[3] = c4xx - s.c4xx;
            row[4] = c5xx - s.c5xx;
        }
        s.total = total;
        s.ok = ok;
        s.c4xx = c4xx;
        s.c5xx = c5xx;
        return row;
    }

    /**
     * A quantile from cumulative bucket counts, interpolated within its bucket; the last bound when it lies beyond
     * every bucket.
     */
    static double quantile(double q, double n, double[] bounds, long[] cumulative) {
        double rank = q * n;
        double lower = 0;
        long below = 0;
        for (int i = 0; i < bounds.length; i++) {
            if (cumulative[i] >= rank) {
                long in = cumulative[i] - below;
                return in == 0 ? bounds[i] : lower + (bounds[i] - lower) * (rank - below) / in;
            }
            lower = bounds[i];
            below = cumulative[i];
        }
        return bounds.length == 0 ? Double.NaN : bounds[bounds.length - 1];
    }

    /**
     * The mean CPU (cores) and memory (bytes) of a revision's ready replicas at the last sample, {@code NaN} each when
     * none has been sampled yet: what the HPA class scales on.
     */
    public double[] usage(String namespace, String revision) {
        double cpu = 0;
        double memory = 0;
        int n = 0;
        for (Replica r : replicaList.get()) {
            double[] now = r.routable() && r.namespace().equals(namespace) && r.revision().equals(revision) ? replicaNow.get(r.id()) : null;
            if (now != null) {
                cpu += now[0];
                memory += now[1];
                n++;
            }
        }
        return n == 0 ? new double[] {Double.NaN, Double.NaN} : new double[] {cpu / n, memory / n};
    }

    /** Each revision's replicas' CPU (cores) and memory (bytes), summed; registers and drops replica meters. */
    private Map<Key, double[]> sampleReplicas() {
        Map<Key, double[]> out = new HashMap<>();
        Map<String, Replica> live = new HashMap<>();
        for (Replica r : replicaList.get()) {
            if (r.pid() > 0 && r.state() != Replica.State.STOPPED) {
                live.put(r.id(), r);
            }
        }
        replicas.entrySet().removeIf(e -> {
            if (!live.containsKey(e.getKey())) {
                e.getValue().meters.forEach(registry::remove);
                replicaNow.remove(e.getKey());
                return true;
            }
            return false;
        });
        for (Replica r : live.values()) {
            ReplicaWatch w = replicas.computeIfAbsent(r.id(), id -> register(r));
            Optional<ProcessHandle> p = ProcessHandle.of(r.pid());
            w.cpuSeconds = p.flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9).orElse(w.cpuSeconds);
            w.memoryBytes = residentBytes(r.pid());
            w.cpuCores = w.lastCpu < 0 ? 0 : Math.max(0, w.cpuSeconds - w.lastCpu);
            w.lastCpu = w.cpuSeconds;
            replicaNow.put(r.id(), new double[] {w.cpuCores, w.memoryBytes});
            double[] sum = out.computeIfAbsent(new Key(r.namespace(), r.revision()), k -> new double[2]);
            sum[0] += w.cpuCores;
            sum[1] += w.memoryBytes;
        }
        return out;
    }

    private ReplicaWatch register(Replica r) {
        ReplicaWatch w = new ReplicaWatch();
        Tags tags = Tags.of("namespace_name", r.namespace(), "revision_name", r.revision(), "pod_name", r.id());
        w.meters.add(FunctionCounter.builder("tide_replica_cpu_seconds", w, x -> x.cpuSeconds)
                .description("CPU time the replica's process has used").tags(tags).register(registry));
        w.meters.add(Gauge.builder("tide_replica_memory_bytes", w, x -> x.memoryBytes)
                .description("The replica's resident memory").tags(tags).strongReference(true).register(registry));
        return w;
    }

    /** Resident set size from {@code /proc/PID/statm} (its second field, in pages); 0 where there is no /proc. */
    private static double residentBytes(long pid) {
        try {
            String[] f = Files.readString(Path.of("/proc", Long.toString(pid), "statm")).trim().split(" ");
            return Long.parseLong(f[1]) * PAGE_SIZE;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * A revision's series as columns ({@link #COLUMNS} to arrays), one row per second of the window (each run repeated
     * for the seconds it stands for), NaN as null, for the dashboard's charts.
     */
    public Map<String, List<Double>> history(String namespace, String revision) {
        Series s = series.get(new Key(namespace, revision));
        Map<String, List<Double>> out = new LinkedHashMap<>();
        COLUMNS.forEach(c -> out.put(c, new ArrayList<>()));
        if (s == null) {
            return out;
        }
        List<double[]> runs;
        long last;
        synchronized (s) {
            runs = new ArrayList<>(s.rows);
            last = s.lastSecond;
        }
        long first = last - KEEP + 1;
        for (int r = 0; r < runs.size(); r++) {
            double[] run = runs.get(r);
            long until = r + 1 < runs.size() ? (long) runs.get(r + 1)[0] - 1 : last;
            for (long t = Math.max((long) run[0], first); t <= until; t++) {
                out.get(COLUMNS.get(0)).add((double) t);
                for (int i = 1; i < COLUMNS.size(); i++) {
                    out.get(COLUMNS.get(i)).add(Double.isNaN(run[i]) ? null : run[i]);
                }
            }
        }
        return out;
    }

    /** How many runs a revision's series holds, for tests of its size. */
    int runs(String namespace, String revision) {
        Series s = series.get(new Key(namespace, revision));
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            return s.rows.size();
        }
    }

    /** The replica's CPU (cores over the last second) and resident memory (bytes), when sampled. */
    public Optional<double[]> replicaUsage(String replicaId) {
        return Optional.ofNullable(replicaNow.get(replicaId));
    }
}
