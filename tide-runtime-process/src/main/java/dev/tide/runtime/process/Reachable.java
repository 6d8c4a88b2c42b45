package dev.tide.runtime.process;

import dev.tide.runtime.RunAs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of Tide's {@code PATH} directories a replica's user can search. A root Tide's {@code PATH} often starts with
 * directories under {@code /root} (pyenv shims, cargo), which {@code nobody} cannot enter; left in, {@code python3}
 * would resolve to a shim it may not run ({@code Permission denied}) instead of {@code /usr/bin/python3}.
 */
final class Reachable {

    private Reachable() {
    }

    /** {@code path} without the directories {@code user} cannot search, in their order. */
    static String path(String path, RunAs user) {
        List<String> kept = new ArrayList<>();
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && searchable(Path.of(dir).toAbsolutePath(), user)) {
                kept.add(dir);
            }
        }
        return String.join(":", kept);
    }

    /** Whether {@code user} may search {@code dir} and every directory above it (the execute bit for its class). */
    static boolean searchable(Path dir, RunAs user) {
        try {
            Path real = dir.toRealPath();
            for (Path p = real; p != null; p = p.getParent()) {
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                long owner = ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
                long group = ((Number) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue();
                int bit = owner == user.uid() ? 0100 : group == user.gid() ? 0010 : 0001;
                if ((mode & bit) == 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
