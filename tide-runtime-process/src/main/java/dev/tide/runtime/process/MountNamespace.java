package dev.tide.runtime.process;

import dev.tide.runtime.Mount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A replica's volumes, mounted where its spec says in a mount namespace of its own, so that no other process (Tide, the
 * user's shell, other replicas) sees them and nothing on this machine changes. The replica starts under
 * {@code unshare --mount}, which runs {@link #SCRIPT}: a tmpfs becomes a new root into which every top-level entry of
 * this machine's root is bound as it is (so the program sees the same files); chrooted there, {@link #MOUNTS} binds
 * each volume at its {@code mountPath} (directories a path lacks are made in the new root's tmpfs, or in a tmpfs
 * overlay on the deepest directory that exists, never on this machine's disks), remounts read-only ones so, and runs
 * the program in the same working directory, as its user (setpriv comes after). Needs root; exec probes enter
 * the namespace with {@code nsenter} (see ProcessRuntime).
 *
 * <p>Worked example: {@code /data/models} from {@code --volume oss-data=/srv/models} on a machine without {@code /data}:
 * the new root gets {@code /data/models} in its tmpfs and {@code /srv/models} bound there; {@code ls /data} on the
 * machine still says no such directory.
 */
final class MountNamespace {

    /**
     * Run by {@code unshare} as root in the replica's new mount namespace. Arguments: the new root, a scratch directory
     * for overlays, the count, {@link #MOUNTS}, then source, target, ro|rw per mount, then the command. It makes the new
     * root and runs {@link #MOUNTS} chrooted there, where absolute symlinks ({@code /var/run -> /run}) resolve inside it.
     */
    static final String SCRIPT = """
            set -e
            root=$1; scratch=$2; n=$3; mounts=$4; shift 4
            mount -t tmpfs -o mode=0755 tide-root "$root"
            mount -t tmpfs tide-scratch "$scratch"
            for e in /* /.[!.]*; do
              [ -e "$e" ] || [ -L "$e" ] || continue
              t="$root/${e#/}"
              if [ -L "$e" ]; then ln -s "$(readlink "$e")" "$t"
              elif [ -d "$e" ]; then mkdir "$t"; mount --rbind "$e" "$t"
              else : > "$t"; mount --bind "$e" "$t"; fi
            done
            exec chroot "$root" /bin/sh -c "$mounts" tide-mounts "$scratch" "$n" "$(pwd)" "$@"
            """;

    /**
     * The mounts, inside the new root: a target's missing directories are made in the root's tmpfs when they start at
     * the top, else in a tmpfs overlay on the deepest directory that exists; then the program runs in its directory.
     */
    static final String MOUNTS = """
            set -e
            scratch=$1; n=$2; cwd=$3; shift 3
            i=0
            while [ "$i" -lt "$n" ]; do
              src=$1; dst=$2; ro=$3; shift 3; i=$((i + 1))
              p=$dst
              while [ ! -e "$p" ] && [ ! -L "$p" ]; do p=$(dirname "$p"); done
              if [ "$p" != "$dst" ] && [ "$p" != / ]; then
                real=$(readlink -f "$p")
                mkdir "$scratch/$i" "$scratch/$i/u" "$scratch/$i/w"
                mount -t overlay tide-overlay -o "lowerdir=$real,upperdir=$scratch/$i/u,workdir=$scratch/$i/w" "$real"
              fi
              if [ -d "$src" ]; then mkdir -p "$dst"
              else mkdir -p "$(dirname "$dst")"; [ -e "$dst" ] || : > "$dst"; fi
              mount --bind "$src" "$dst"
              if [ "$ro" = ro ]; then mount -o remount,bind,ro "$dst"; fi
            done
            cd "$cwd" 2>/dev/null || cd /
            exec "$@"
            """;

    private MountNamespace() {
    }

    /**
     * Makes the replica's volume directories under {@code dir} (an {@code emptyDir}, a ConfigMap's or Secret's files;
     * kept across its restarts, as a pod's are) and returns {@code command} wrapped to run with the mounts.
     *
     * @throws IllegalArgumentException for a {@code subPath} that leaves its volume
     */
    static List<String> wrap(Path dir, List<Mount> mounts, List<String> command) {
        try {
            Files.createDirectories(dir.resolve("root"));
            Files.createDirectories(dir.resolve("scratch"));
            List<String> out = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                    SCRIPT, "tide-mounts", dir.resolve("root").toString(), dir.resolve("scratch").toString(),
                    Integer.toString(mounts.size()), MOUNTS));
            for (int i = 0; i < mounts.size(); i++) {
                Mount m = mounts.get(i);
                Path source = source(dir.resolve("volume-" + i), m.source());
                if (!m.subPath().isEmpty()) {
                    Path sub = source.resolve(m.subPath()).normalize();
                    if (!sub.startsWith(source) || m.subPath().startsWith("/")) {
                        throw new IllegalArgumentException("subPath " + m.subPath() + " of " + m.path() + " leaves its volume");
                    }
                    if (m.source() instanceof Mount.Empty) {
                        Files.createDirectories(sub);
                    }
                    source = sub;
                }
                out.addAll(List.of(source.toString(), m.path(), m.readOnly() ? "ro" : "rw"));
            }
            out.addAll(command);
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the volumes in " + dir, e);
        }
    }

    private static Path source(Path own, Mount.Source source) throws IOException {
        return switch (source) {
            case Mount.Directory d -> Path.of(d.dir());
            case Mount.Empty e -> {
                if (!Files.isDirectory(own)) {
                    Files.createDirectories(own);
                    // As a pod's emptyDir: writable by whoever the replica runs as.
                    Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxrwxrwx"));
                }
                yield own;
            }
            case Mount.Files f -> {
                Files.createDirectories(own);
                Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxr-xr-x"));
                for (Map.Entry<String, byte[]> file : f.files().entrySet()) {
                    Path p = own.resolve(file.getKey()).normalize();
                    if (!p.startsWith(own)) {
                        throw new IllegalArgumentException("item path " + file.getKey() + " leaves its volume");
                    }
                    Files.createDirectories(p.getParent());
                    Files.write(p, file.getValue());
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions(f.mode())));
                }
                yield own;
            }
        };
    }

    /** Worked example: 0644 (420) gives {@code rw-r--r--}. */
    static String permissions(int mode) {
        StringBuilder b = new StringBuilder(9);
        String letters = "rwx";
        for (int bit = 8; bit >= 0; bit--) {
            b.append((mode & (1 << bit)) != 0 ? letters.charAt((8 - bit) % 3) : '-');
        }
        return b.toString();
    }

    /** Removes a replica's volume directories once it is gone. */
    static void remove(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Left for the next start's sweep.
        }
    }
}
