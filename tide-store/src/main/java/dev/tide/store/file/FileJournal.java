package dev.tide.store.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.store.Journal;
import dev.tide.store.ObjectKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An append-only journal file, {@code objects.journal}, in the data directory.
 *
 * <p>Each record is {@code [int length][int crc32c][length bytes of JSON]}. The store acknowledges a write only after
 * a {@link #force} ({@link FileChannel#force}) that began after it returns, so an acknowledged write survives a crash
 * or {@code kill -9}. A crash in
 * the middle of a write leaves a short or corrupt last record: replay stops there and truncates it, which is
 * safe because that write was never acknowledged.
 *
 * <p>The journal grows with every write; it is rewritten with only the live objects when it is more than
 * {@value #COMPACT_RATIO} times their size and over {@value #COMPACT_MIN_BYTES} bytes. The rewrite goes to a
 * temporary file that is then renamed over the journal, so a crash leaves one whole version of it.
 *
 * <p>A lock file keeps a second Tide from opening the same data directory.
 */
public final class FileJournal implements Journal {

    static final String FILE = "objects.journal";
    static final int COMPACT_RATIO = 4;
    static final long COMPACT_MIN_BYTES = 4L << 20;
    private static final int HEADER = 8;
    private static final int MAX_RECORD = 64 << 20;

    private final Path dir;
    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Replaced by {@link #compact}, which the store calls only while no force runs. */
    private volatile FileChannel channel;
    private long liveBytes;

    private final long compactMinBytes;

    private FileJournal(Path dir, FileChannel lockChannel, FileLock lock, long compactMinBytes) throws IOException {
        this.dir = dir;
        this.compactMinBytes = compactMinBytes;
        this.file = dir.resolve(FILE);
        this.lockChannel = lockChannel;
        this.lock = lock;
        // The journal holds Secrets: it and its directory are Tide's user's alone.
        this.channel = PrivateFiles.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /**
     * Opens (creating if needed) the journal in {@code dir}.
     *
     * @throws IllegalStateException when another process holds the directory
     */
    public static FileJournal open(Path dir) {
        return open(dir, COMPACT_MIN_BYTES);
    }

    static FileJournal open(Path dir, long compactMinBytes) {
        try {
            PrivateFiles.directory(dir);
            FileChannel lockChannel = PrivateFiles.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // held by this same process
            }
            if (lock == null) {
                lockChannel.close();
                throw new IllegalStateException("data directory " + dir + " is in use by another Tide server");
            }
            return new FileJournal(dir, lockChannel, lock, compactMinBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open data directory " + dir, e);
        }
    }

    @Override
    public List<Entry> replay() {
        List<Entry> entries = new ArrayList<>();
        try {
            long size = channel.size();
            long pos = 0;
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            while (pos + HEADER <= size) {
                header.clear();
                readFully(header, pos);
                header.flip();
                int length = header.getInt();
                int crc = header.getInt();
                if (length <= 0 || length > MAX_RECORD || pos + HEADER + length > size) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                readFully(body, pos + HEADER);
                if (crc(body.array()) != crc) {
                    break;
                }
                entries.add(decode(body.array()));
                pos += HEADER + length;
            }
            if (pos != size) {
                // A torn or corrupt tail: the write it held was never acknowledged.
                channel.truncate(pos);
                channel.force(true);
            }
            channel.position(pos);
            liveBytes = pos;
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public void append(Entry entry) {
        try {
            ByteBuffer record = encode(entry);
            while (record.hasRemaining()) {
                channel.write(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void force() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync " + file, e);
        }
    }

    @Override
    public boolean wantsCompaction() {
        try {
            long size = channel.size();
            return size > compactMinBytes && size > COMPACT_RATIO * Math.max(1, liveBytes);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void compact(Collection<Entry> live, long resourceVersion) {
        Path tmp = dir.resolve(FILE + ".tmp");
        try (FileChannel out = PrivateFiles.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            long bytes = 0;
            for (Entry e : live) {
                bytes += writeAll(out, encode(e));
            }
            // Remember the version even when the newest change was a deletion, so versions never go back.
            bytes += writeAll(out, encode(new Entry(resourceVersion, null, null)));
            out.force(true);
            channel.close();
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory();
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            channel.position(channel.size());
            liveBytes = bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot open a directory for sync; the rename itself is still atomic.
        }
    }

    private void readFully(ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            if (channel.read(buf, pos + buf.position()) < 0) {
                throw new IOException("unexpected end of " + file);
            }
        }
    }

    private static long writeAll(FileChannel out, ByteBuffer buf) throws IOException {
        long n = buf.remaining();
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        return n;
    }

    private static ByteBuffer encode(Entry e) {
        ObjectNode json = Json.object();
        json.put("rv", e.resourceVersion());
        if (e.key() != null) {
            json.put("resource", e.key().resource()).put("namespace", e.key().namespace()).put("name", e.key().name());
        }
        if (e.object() != null) {
            json.set("object", e.object());
        }
        byte[] body = Json.write(json).getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(HEADER + body.length);
        buf.putInt(body.length).putInt(crc(body)).put(body).flip();
        return buf;
    }

    private static Entry decode(byte[] body) {
        ObjectNode json = Json.parseObject(new String(body, StandardCharsets.UTF_8));
        JsonNode object = json.get("object");
        ObjectKey key = json.has("resource")
                ? new ObjectKey(json.get("resource").asText(), json.get("namespace").asText(), json.get("name").asText())
                : null;
        return new Entry(json.get("rv").asLong(), key, object instanceof ObjectNode o ? o : null);
    }

    private static int crc(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        return (int) crc.getValue();
    }
}
