package dev.tide.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.modelserver.storage.Fetchers;
import dev.tide.modelserver.storage.ModelCache;
import dev.tide.modelserver.storage.S3Fetcher;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tide cache ls|prefetch|evict}: the local model cache that every model server replica shares. */
@Command(name = "cache", description = "List, prefetch or evict models in the local model cache.",
        subcommands = {CacheCommand.Ls.class, CacheCommand.Prefetch.class, CacheCommand.Evict.class})
final class CacheCommand {

    /** Options every cache subcommand shares. */
    static class CacheOptions {
        @Option(names = "--data-dir", description = "Tide's data directory (default: ~/.tide); the cache is its models/")
        Path dataDir;

        @Option(names = "--volume", description = "a named local volume for pvc:// URIs, as NAME=DIR (repeatable)")
        Map<String, Path> volumes = new LinkedHashMap<>();

        @Option(names = "--quota", defaultValue = "100Gi", description = "cache quota (default: ${DEFAULT-VALUE})")
        String quota;

        ModelCache open() {
            Path dir = (dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".tide")).resolve("models");
            HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            return new ModelCache(dir, ModelCache.Limits.DEFAULT.withQuota(bytes(quota, "--quota")),
                    Fetchers.standard(client, S3Fetcher.Settings.fromEnv(System.getenv()), InstantSource.system()), volumes,
                    Path.of("").toAbsolutePath(), InstantSource.system(), new ObjectMapper());
        }
    }

    @Command(name = "ls", description = "List cached models, least recently used first.")
    static final class Ls extends CacheOptions implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            List<ModelCache.Entry> entries = open().list();
            System.out.printf("%-34s %10s  %-20s %-6s %s%n", "KEY", "SIZE", "LAST USED", "IN USE", "URI");
            long total = 0;
            for (ModelCache.Entry e : entries) {
                total += e.bytes();
                System.out.printf("%-34s %10s  %-20s %-6s %s%n", e.key(), human(e.bytes()),
                        Instant.ofEpochMilli(e.lastUsedMillis()).toString().substring(0, 19), e.inUse() ? "yes" : "no", e.uri());
            }
            System.out.println(entries.size() + " model(s), " + human(total));
            return 0;
        }
    }

    @Command(name = "prefetch", description = "Fetch a model into the cache before its first request.")
    static final class Prefetch extends CacheOptions implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "STORAGE_URI")
        List<String> uris;

        @Override
        public Integer call() throws Exception {
            ModelCache cache = open();
            int failed = 0;
            for (String uri : uris) {
                try (ModelCache.Lease lease = cache.acquire(uri)) {
                    System.out.println((lease.hit() ? "cached    " : "fetched   ") + uri + " -> " + lease.dir());
                } catch (Exception e) {
                    // Each model is tried; the line names the model and why, whatever the exception carried.
                    System.err.println("failed    " + uri + ": " + dev.tide.common.text.Failures.describe(e));
                    failed++;
                }
            }
            return failed == 0 ? 0 : Main.FAILED;
        }
    }

    @Command(name = "evict", description = "Remove models from the cache (never one a replica is serving).")
    static final class Evict extends CacheOptions implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "STORAGE_URI|KEY")
        List<String> which = List.of();

        @Option(names = "--all", description = "every model not in use")
        boolean all;

        @Override
        public Integer call() throws Exception {
            ModelCache cache = open();
            int refused = 0;
            int matched = 0;
            for (ModelCache.Entry e : cache.list()) {
                if (!all && !which.contains(e.uri()) && !which.contains(e.key())) {
                    continue;
                }
                matched++;
                if (cache.evict(e)) {
                    System.out.println("evicted   " + e.uri());
                } else {
                    System.out.println("in use    " + e.uri() + " (a replica serves it; kept)");
                    refused++;
                }
            }
            if (matched == 0) {
                System.err.println("tide cache evict: nothing matched " + (all ? "(the cache is empty)" : which));
                return Main.FAILED;
            }
            return refused == 0 ? 0 : Main.FAILED;
        }
    }

    /** Bytes from a Kubernetes quantity: 100Gi, 512Mi, 10G, 1500000. */
    static long bytes(String q, String option) {
        String s = q.trim();
        Map<String, Long> units = new LinkedHashMap<>();
        units.put("Ki", 1L << 10);
        units.put("Mi", 1L << 20);
        units.put("Gi", 1L << 30);
        units.put("Ti", 1L << 40);
        units.put("k", 1000L);
        units.put("K", 1000L);
        units.put("M", 1000_000L);
        units.put("G", 1000_000_000L);
        units.put("T", 1000_000_000_000L);
        for (Map.Entry<String, Long> u : units.entrySet()) {
            if (s.endsWith(u.getKey())) {
                return parse(s.substring(0, s.length() - u.getKey().length()), q, option) * u.getValue();
            }
        }
        return parse(s, q, option);
    }

    private static long parse(String n, String q, String option) {
        try {
            long v = Long.parseLong(n);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + ": \"" + q + "\" is not a positive quantity like 100Gi, 512Mi or 2000000");
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int exp = (int) (Math.log(bytes) / Math.log(1024));
        return String.format(Locale.ROOT, "%.1f %siB", bytes / Math.pow(1024, exp), "KMGTPE".charAt(exp - 1));
    }
}
