package dev.tide.runtime;

/**
 * The user a replica's process runs as, when it is not Tide's own.
 *
 * @param uid  the user id
 * @param gid  the primary group id (supplementary groups are cleared)
 * @param home {@code HOME} for the process, or {@code null} to keep the base environment's
 */
public record RunAs(long uid, long gid, String home) {

    public RunAs {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("uid/gid: " + uid + "/" + gid + " (expected: >= 0)");
        }
    }
}
