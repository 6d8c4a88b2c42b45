package dev.tide.runtime;

import java.util.List;

/**
 * The user a replica's process runs as, when it is not Tide's own.
 *
 * @param uid    the user id
 * @param gid    the primary group id
 * @param groups supplementary groups (a pod's {@code supplementalGroups}); none when empty
 * @param home   {@code HOME} for the process, or {@code null} to keep the base environment's
 */
public record RunAs(long uid, long gid, List<Long> groups, String home) {

    public RunAs {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("uid/gid: " + uid + "/" + gid + " (expected: >= 0)");
        }
        groups = List.copyOf(groups);
    }

    public RunAs(long uid, long gid, String home) {
        this(uid, gid, List.of(), home);
    }
}
