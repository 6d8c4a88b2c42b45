package dev.tide.store.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files only Tide's user may read: the data directory (0700) and what in it holds credentials (0600): the journal
 * (Secrets), tokens, keys, kubeconfigs. Files are created with their mode, before a byte is in them, and made so
 * again when an older Tide left them readable. On a file system without POSIX modes, nothing is changed.
 */
public final class PrivateFiles {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {
    }

    /** Creates {@code dir} if needed and makes it 0700. */
    public static Path directory(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (POSIX) {
            Files.setPosixFilePermissions(dir, DIRECTORY);
        }
        return dir;
    }

    /** Makes {@code file} 0600. */
    public static void restrict(Path file) throws IOException {
        if (POSIX) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }

    /** Opens {@code path} with {@code options}, created 0600 when {@code CREATE} makes it, and 0600 either way. */
    public static FileChannel open(Path path, StandardOpenOption... options) throws IOException {
        if (!POSIX) {
            return FileChannel.open(path, options);
        }
        FileChannel ch = FileChannel.open(path, Set.of(options), mode());
        restrict(path);
        return ch;
    }

    /** Writes {@code text} to {@code file}, created 0600 before a byte is in it, replacing it atomically. */
    public static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static FileAttribute<?>[] mode() {
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)};
    }
}
