package dev.tide.modelserver.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The local model cache under Tide's data directory, shared by every replica on the machine (each a separate process).
 *
 * <p>Layout: {@code entries/KEY/} holds one fetched model (KEY is the SHA-256 of its storage URI) with a manifest
 * {@code .tide-entry.json} listing every file's size and SHA-256; {@code locks/KEY.lock} serialises fetches of one
 * model across processes, so however many replicas start at once the model is fetched once and the others wait for it;
 * a replica serving a model holds a shared lock on {@code entries/KEY/.in-use}, and eviction skips entries whose
 * exclusive lock it cannot take.
 *
 * <p>Quota with watermarks, as Fluid's cache runtime: when a fetch leaves the cache above {@code high x quota}, the
 * least recently used entries not in use are evicted until it is at or below {@code low x quota}. Worked example: quota
 * 10 GiB, high 0.95, low 0.7: a fetch that brings the cache to 9.8 GiB (> 9.5) evicts LRU entries until it holds at most
 * 7 GiB.
 */
public final class ModelCache {

    /** Cache settings: quota in bytes and the two watermarks as fractions of it. */
    public record Limits(long quotaBytes, double high, double low) {
        /** 100 GiB, evicting above 95% down to 70% (seed 000's Fluid settings). */
        public static final Limits DEFAULT = new Limits(100L << 30, 0.95, 0.7);

        /** These watermarks with another quota. */
        public Limits withQuota(long bytes) {
            return new Limits(bytes, high, low);
        }

        public Limits {
            if (!(0 < low && low <= high && high <= 1)) {
                throw new IllegalArgumentException("expected 0 < low <= high <= 1, got low " + low + ", high " + high);
            }
        }
    }

    /** One cached model, as {@code tide cache ls} shows it. */
    public record Entry(String key, String uri, long bytes, String digest, long lastUsedMillis, boolean inUse, Path dir) {
    }

    /** A model held for serving; closing it lets eviction take the entry again. */
    public interface Lease extends AutoCloseable {
        Path dir();

        /** Whether this acquire found the model already cached (false for a fetch or a local path). */
        boolean hit();

        @Override
        void close();
    }

    private static final String MANIFEST = ".tide-entry.json";
    private static final String IN_USE = ".in-use";

    private final Path root;
    private final Limits limits;
    private final Map<String, Fetcher> fetchers;
    private final Map<String, Path> volumes;
    private final Path base;
    private final InstantSource clock;
    private final ObjectMapper json;
    private final Map<String, ReentrantLock> fetchLocks = new ConcurrentHashMap<>();
    private final Map<String, Holder> held = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();

    /**
     * @param fetchers by scheme: {@code http}, {@code https}, {@code s3}
     * @param volumes  named local volumes for {@code pvc://}
     */
    public ModelCache(Path root, Limits limits, Map<String, Fetcher> fetchers, Map<String, Path> volumes, InstantSource clock,
                      ObjectMapper json) {
        this(root, limits, fetchers, volumes, Path.of("").toAbsolutePath(), clock, json);
    }

    /** @param base what relative {@code file://} paths are relative to (the Tide server's working directory) */
    public ModelCache(Path root, Limits limits, Map<String, Fetcher> fetchers, Map<String, Path> volumes, Path base,
                      InstantSource clock, ObjectMapper json) {
        this.base = base;
        this.root = root;
        this.limits = limits;
        this.fetchers = Map.copyOf(fetchers);
        this.volumes = Map.copyOf(volumes);
        this.clock = clock;
        this.json = json;
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    public long evictions() {
        return evictions.get();
    }

    public StorageUri parse(String uri) {
        return StorageUri.parse(uri, volumes, base);
    }

    /**
     * Makes a model available locally and holds it until the lease closes: a local path as it is, a remote model from
     * the cache, fetched first if absent (once, whoever else asks at the same time).
     */
    public Lease acquire(String uri) throws IOException {
        StorageUri parsed = parse(uri);
        if (parsed instanceof StorageUri.Local local) {
            if (!Files.exists(local.path())) {
                throw new IOException("storageUri " + uri + ": " + local.path() + " does not exist");
            }
            Path dir = Files.isDirectory(local.path()) ? local.path() : local.path().getParent();
            return new Lease() {
                public Path dir() {
                    return dir;
                }

                public boolean hit() {
                    return false;
                }

                public void close() {
                }
            };
        }
        String key = key(uri);
        Path entry = root.resolve("entries").resolve(key);
        boolean hit;
        ReentrantLock jvm = fetchLocks.computeIfAbsent(key, k -> new ReentrantLock());
        jvm.lock();
        try (FileChannel lockFile = FileChannel.open(lockPath(key), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            hit = intact(entry);
            if (hit) {
                hits.incrementAndGet();
            } else {
                misses.incrementAndGet();
                fetch(parsed, key, entry);
            }
            touch(entry);
            hold(key, entry);
        } finally {
            jvm.unlock();
        }
        evictIfAboveHigh();
        boolean found = hit;
        return new Lease() {
            private boolean closed;

            public Path dir() {
                return entry;
            }

            public boolean hit() {
                return found;
            }

            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    release(key);
                }
            }
        };
    }

    private Path lockPath(String key) throws IOException {
        Path locks = root.resolve("locks");
        Files.createDirectories(locks);
        return locks.resolve(key + ".lock");
    }

    static String key(String uri) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(uri.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void fetch(StorageUri uri, String key, Path entry) throws IOException {
        String scheme = uri instanceof StorageUri.S3 ? "s3" : ((StorageUri.Http) uri).uri().getScheme();
        Fetcher fetcher = fetchers.get(scheme);
        if (fetcher == null) {
            throw new IOException("storageUri " + uri.raw() + ": this Tide has no " + scheme + ":// fetcher configured");
        }
        Path tmp = root.resolve("tmp");
        Files.createDirectories(tmp);
        Path staging = Files.createTempDirectory(tmp, key + "-");
        try {
            fetcher.fetch(uri, staging);
            writeManifest(uri.raw(), staging);
            deleteTree(entry); // a torn or stale entry
            Files.createDirectories(entry.getParent());
            try {
                Files.move(staging, entry, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, entry);
            }
        } finally {
            deleteTree(staging);
        }
    }

    private void writeManifest(String uri, Path dir) throws IOException {
        ObjectNode m = json.createObjectNode();
        m.put("uri", uri);
        ArrayNode files = m.putArray("files");
        long total = 0;
        MessageDigest all = sha256();
        List<Path> list;
        try (Stream<Path> s = Files.walk(dir)) {
            list = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path p : list) {
            String digest = digest(p);
            long size = Files.size(p);
            total += size;
            all.update(digest.getBytes(StandardCharsets.UTF_8));
            files.addObject().put("path", dir.relativize(p).toString()).put("size", size).put("sha256", digest);
        }
        if (list.isEmpty()) {
            throw new IOException("storageUri " + uri + " holds no files");
        }
        m.put("bytes", total);
        m.put("sha256", HexFormat.of().formatHex(all.digest()));
        json.writeValue(dir.resolve(MANIFEST).toFile(), m);
        Files.createFile(dir.resolve(IN_USE));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String digest(Path p) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A complete entry: its manifest is there and every file has the size the manifest recorded. */
    private boolean intact(Path entry) {
        Optional<JsonNode> m = manifest(entry);
        if (m.isEmpty()) {
            return false;
        }
        for (JsonNode f : m.get().path("files")) {
            Path p = entry.resolve(f.path("path").asText());
            try {
                if (!Files.isRegularFile(p) || Files.size(p) != f.path("size").asLong()) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private Optional<JsonNode> manifest(Path entry) {
        Path file = entry.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readTree(file.toFile()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void touch(Path entry) throws IOException {
        Files.setLastModifiedTime(entry.resolve(MANIFEST), java.nio.file.attribute.FileTime.from(clock.instant()));
    }

    // ---- in use ----

    /** This JVM's shared lock on an entry's in-use file, counted so several leases in one process share it. */
    private static final class Holder {
        int count;
        FileChannel channel;
        FileLock lock;
    }

    private void hold(String key, Path entry) throws IOException {
        Holder h = held.computeIfAbsent(key, k -> new Holder());
        synchronized (h) {
            if (h.count++ == 0) {
                h.channel = FileChannel.open(entry.resolve(IN_USE), StandardOpenOption.READ, StandardOpenOption.WRITE);
                h.lock = h.channel.lock(0, Long.MAX_VALUE, true);
            }
        }
    }

    private void release(String key) {
        Holder h = held.get(key);
        if (h == null) {
            return;
        }
        synchronized (h) {
            if (--h.count == 0) {
                try {
                    h.lock.release();
                    h.channel.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    // ---- listing and eviction ----

    public List<Entry> list() throws IOException {
        Path entries = root.resolve("entries");
        if (!Files.isDirectory(entries)) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(entries)) {
            for (Path dir : s.toList()) {
                Optional<JsonNode> m = manifest(dir);
                if (m.isEmpty()) {
                    continue;
                }
                String key = dir.getFileName().toString();
                out.add(new Entry(key, m.get().path("uri").asText(), m.get().path("bytes").asLong(),
                        m.get().path("sha256").asText(), Files.getLastModifiedTime(dir.resolve(MANIFEST)).toMillis(),
                        inUse(key, dir), dir));
            }
        }
        out.sort(Comparator.comparingLong(Entry::lastUsedMillis));
        return out;
    }

    private boolean inUse(String key, Path dir) {
        Holder h = held.get(key);
        if (h != null) {
            synchronized (h) {
                if (h.count > 0) {
                    return true;
                }
            }
        }
        try (FileChannel ch = FileChannel.open(dir.resolve(IN_USE), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock(0, Long.MAX_VALUE, false);
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return true;
        }
    }

    public long usedBytes() throws IOException {
        return list().stream().mapToLong(Entry::bytes).sum();
    }

    /**
     * Evicts least recently used entries not in use while the cache is above the high watermark, down to the low one.
     *
     * @return the entries evicted
     */
    public synchronized List<Entry> evictIfAboveHigh() throws IOException {
        List<Entry> entries = list();
        long used = entries.stream().mapToLong(Entry::bytes).sum();
        List<Entry> evicted = new ArrayList<>();
        if (used <= limits.high() * limits.quotaBytes()) {
            return evicted;
        }
        double low = limits.low() * limits.quotaBytes();
        for (Entry e : entries) {
            if (used <= low) {
                break;
            }
            if (e.inUse() || !evict(e)) {
                continue;
            }
            used -= e.bytes();
            evicted.add(e);
        }
        return evicted;
    }

    /**
     * Removes one entry unless a replica serves it.
     *
     * @return whether it was removed
     */
    public synchronized boolean evict(Entry e) throws IOException {
        ReentrantLock jvm = fetchLocks.computeIfAbsent(e.key(), k -> new ReentrantLock());
        jvm.lock();
        try (FileChannel lockFile = FileChannel.open(lockPath(e.key()), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            if (inUse(e.key(), e.dir())) {
                return false;
            }
            // Remove the manifest first: a reader that races us sees an incomplete entry and fetches again.
            Files.deleteIfExists(e.dir().resolve(MANIFEST));
            deleteTree(e.dir());
            evictions.incrementAndGet();
            return true;
        } finally {
            jvm.unlock();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
