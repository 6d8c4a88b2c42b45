package dev.tide.cli.dashboard;

import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last hour of each revision's metrics at one-second resolution, kept in memory so the dashboard works without
 * Prometheus: requests/s, success rate, 4xx and 5xx per second, latency P50/P90/P95/P99, requests in flight, the
 * autoscaler's desired, actual and ready replicas and panic mode, and its replicas' CPU and memory. Read from the same
 * meters {@code /metrics} exposes, so both always agree.
 *
 * <p>Percentiles come from the latency histogram's bucket counts over the second, interpolated within a bucket as
 * Prometheus' {@code histogram_quantile} does. Example: 10 requests in a second, 6 in the 5-10 ms bucket and 4 in
 * 10-20 ms: P50 is rank 5, the fifth of the six in 5-10 ms, so 5 + (10 - 5) x 5/6 = 9.2 ms.
 *
 * <p>Also registers each replica's CPU time and resident memory with the meter registry
 * ({@code tide_replica_cpu_seconds_total}, {@code tide_replica_memory_bytes}).
 *
 * <p>Threading: one {@link #sample} at a time (the caller chains them); readers take copies under the revision's lock.
 */
public final class MetricsHistory {

    /** The columns of every revision's series, in order. */
    public static final List<String> COLUMNS = List.of("t", "rps", "success", "rps4xx", "rps5xx", "p50", "p90", "p95", "p99",
            "concurrency", "desired", "actual", "ready", "panic", "cpu", "memory");

    static final int KEEP = 3600;
    private static final long PAGE_SIZE = 4096;

    private record Key(String namespace, String revision) {
    }

    /** One revision's rows and the cumulative counts seen at the last sample. */
    private static final class Series {
        final ArrayDeque<double[]> rows = new ArrayDeque<>();
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
    private final ReplicaRuntime runtime;
    private final Map<Key, Series> series = new ConcurrentHashMap<>();
    private final Map<String, ReplicaWatch> replicas = new HashMap<>();
    private final Map<String, double[]> replicaNow = new ConcurrentHashMap<>();

    public MetricsHistory(MeterRegistry registry, ReplicaRuntime runtime) {
        this.registry = registry;
        this.runtime = runtime;
    }

    /** Takes one row per revision, stamped {@code epochSecond}; call once a second. */
    public void sample(long epochSecond) {
        Map<Key, double[]> usage = sampleReplicas();
        Map<Key, List<Meter>> byRevision = new HashMap<>();
        for (Meter m : registry.getMeters()) {
            String name = m.getId().getName();
            if (!name.startsWith("revision_") && !name.startsWith("autoscaler_")) {
                continue;
            }
            String ns = m.getId().getTag("namespace_name");
            String rev = m.getId().getTag("revision_name");
            if (ns != null && rev != null) {
                byRevision.computeIfAbsent(new Key(ns, rev), k -> new ArrayList<>()).add(m);
            }
        }
        for (Map.Entry<Key, List<Meter>> e : byRevision.entrySet()) {
            Series s = series.computeIfAbsent(e.getKey(), k -> new Series());
            double[] row = row(s, e.getValue(), epochSecond);
            double[] u = usage.getOrDefault(e.getKey(), new double[] {0, 0});
            row[14] = u[0];
            row[15] = u[1];
            synchronized (s) {
                s.rows.addLast(row);
                while (s.rows.size() > KEEP) {
                    s.rows.removeFirst();
                }
            }
        }
    }

    private static double[] row(Series s, List<Meter> meters, long epochSecond) {
        double total = 0;
        double ok = 0;
        double c4xx = 0;
        double c5xx = 0;
        long[] buckets = s.buckets;
        double[] bounds = new double[0];
        double[] row = new double[COLUMNS.size()];
        java.util.Arrays.fill(row, Double.NaN);
        row[0] = epochSecond;
        for (Meter m : meters) {
            switch (m) {
                case Counter c when m.getId().getName().equals("revision_request_count") -> {
                    double v = c.count();
                    total += v;
                    String cls = String.valueOf(m.getId().getTag("response_code_class"));
                    switch (cls) {
                        case "2xx", "3xx" -> ok += v;
                        case "4xx" -> c4xx += v;
                        case "5xx" -> c5xx += v;
                        default -> { }
                    }
                }
                case DistributionSummary d -> {
                    CountAtBucket[] counts = d.takeSnapshot().histogramCounts();
                    buckets = new long[counts.length];
                    bounds = new double[counts.length];
                    for (int i = 0; i < counts.length; i++) {
                        buckets[i] = (long) counts[i].count();
                        bounds[i] = counts[i].bucket();
                    }
                }
                case Gauge g -> {
                    int col = switch (m.getId().getName()) {
                        case "revision_queue_depth" -> 9;
                        // What Tide asks for after min/max scale (Knative's requested_pods): the scaling trend.
                        case "autoscaler_requested_pods" -> 10;
                        case "autoscaler_actual_pods" -> 11;
                        case "autoscaler_ready_pods" -> 12;
                        case "autoscaler_panic_mode" -> 13;
                        default -> -1;
                    };
                    if (col >= 0) {
                        row[col] = g.value();
                    }
                }
                default -> { }
            }
        }
        if (s.total >= 0) {
            double n = total - s.total;
            row[1] = n;
            row[2] = n > 0 ? (ok - s.ok) / n : Double.NaN;
            row[3] = c4xx - s.c4xx;
            row[4] = c5xx - s.c5xx;
            if (n > 0 && buckets.length == s.buckets.length) {
                long[] delta = new long[buckets.length];
                for (int i = 0; i < buckets.length; i++) {
                    delta[i] = buckets[i] - s.buckets[i];
                }
                row[5] = quantile(0.50, n, bounds, delta);
                row[6] = quantile(0.90, n, bounds, delta);
                row[7] = quantile(0.95, n, bounds, delta);
                row[8] = quantile(0.99, n, bounds, delta);
            }
        }
        s.total = total;
        s.ok = ok;
        s.c4xx = c4xx;
        s.c5xx = c5xx;
        s.buckets = buckets;
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
        for (Replica r : runtime.replicas()) {
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
        for (Replica r : runtime.replicas()) {
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

    /** A revision's series as columns ({@link #COLUMNS} to arrays), NaN as null, for the dashboard's charts. */
    public Map<String, List<Double>> history(String namespace, String revision) {
        Series s = series.get(new Key(namespace, revision));
        Map<String, List<Double>> out = new LinkedHashMap<>();
        COLUMNS.forEach(c -> out.put(c, new ArrayList<>()));
        if (s == null) {
            return out;
        }
        List<double[]> rows;
        synchronized (s) {
            rows = new ArrayList<>(s.rows);
        }
        for (double[] row : rows) {
            for (int i = 0; i < COLUMNS.size(); i++) {
                out.get(COLUMNS.get(i)).add(Double.isNaN(row[i]) ? null : row[i]);
            }
        }
        return out;
    }

    /** The replica's CPU (cores over the last second) and resident memory (bytes), when sampled. */
    public Optional<double[]> replicaUsage(String replicaId) {
        return Optional.ofNullable(replicaNow.get(replicaId));
    }
}
