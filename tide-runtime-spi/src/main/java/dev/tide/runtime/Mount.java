package dev.tide.runtime;

import java.util.Map;

/**
 * A volume at a path of the replica's own view of the filesystem (its {@code volumeMounts} entry), which no other
 * process sees.
 *
 * @param path     the absolute {@code mountPath}
 * @param readOnly mounted read-only
 * @param subPath  a path inside the volume to mount instead of its root, or empty
 */
public record Mount(String path, boolean readOnly, Source source, String subPath) {

    /** What is mounted. */
    public sealed interface Source {
    }

    /** A directory of this machine: a PersistentVolumeClaim given with {@code --volume NAME=DIR}, or a {@code hostPath}. */
    public record Directory(String dir) implements Source {
    }

    /** A fresh empty directory for each replica, removed with it ({@code emptyDir}). */
    public record Empty() implements Source {
    }

    /**
     * Files made for each replica from a ConfigMap's or Secret's data ({@code configMap}, {@code secret}).
     *
     * @param files relative path to content
     * @param mode  the files' permission bits ({@code defaultMode}, 0644 when none)
     */
    public record Files(Map<String, byte[]> files, int mode) implements Source {
        public Files {
            files = Map.copyOf(files);
        }
    }

    public Mount {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("mountPath: " + path + " is not absolute");
        }
        subPath = subPath == null ? "" : subPath;
    }
}
