package dev.tide.modelserver.storage;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Unpacks {@code .tar.gz}/{@code .tgz}/{@code .tar} and {@code .zip} model archives, refusing entries that escape. */
final class Archives {

    private Archives() {
    }

    static boolean isArchive(String name) {
        return name.endsWith(".tar.gz") || name.endsWith(".tgz") || name.endsWith(".tar") || name.endsWith(".zip");
    }

    static void unpack(String name, InputStream in, Path into) throws IOException {
        if (name.endsWith(".zip")) {
            try (ZipInputStream zip = new ZipInputStream(new BufferedInputStream(in))) {
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    write(into, e.getName(), e.isDirectory(), zip);
                }
            }
            return;
        }
        InputStream raw = name.endsWith(".tar") ? new BufferedInputStream(in) : new GZIPInputStream(new BufferedInputStream(in));
        try (TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.isDirectory() || e.isFile()) {
                    write(into, e.getName(), e.isDirectory(), tar);
                }
            }
        }
    }

    private static void write(Path root, String entry, boolean dir, InputStream in) throws IOException {
        Path p = root.resolve(entry).normalize();
        if (!p.startsWith(root)) {
            throw new IOException("archive entry " + entry + " would be written outside the model directory");
        }
        if (dir) {
            Files.createDirectories(p);
            return;
        }
        Files.createDirectories(p.getParent());
        Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
    }
}
