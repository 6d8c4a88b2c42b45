package dev.tide.runtime;

import java.util.List;

/**
 * A snapshot of one replica.
 *
 * @param host            the IPv4 address it listens on: loopback for a local process, the pod's IP for a pod
 * @param port            where it listens (the {@code PORT} it was given)
 * @param restarts        how often it was restarted after a crash or a failed liveness probe
 * @param lastOutput      the last lines it printed, newest last (for crash reports)
 * @param lastTermination how its previous process ended, or {@code null} while it has had only one
 * @param outputFrom      the number of the first output line of its current process (lines are counted over every
 *                        process it ran, see {@link ReplicaRuntime#output(String, long)}): what came before is the
 *                        previous processes' output
 */
public record Replica(String id, String namespace, String revision, String host, int port, State state, long pid, int restarts,
                      List<String> lastOutput, Termination lastTermination, long outputFrom) {

    /** Where local processes listen. */
    public static final String LOOPBACK = "127.0.0.1";

    /** A local process's snapshot. */
    public Replica(String id, String namespace, String revision, int port, State state, long pid, int restarts,
                   List<String> lastOutput, Termination lastTermination, long outputFrom) {
        this(id, namespace, revision, LOOPBACK, port, state, pid, restarts, lastOutput, lastTermination, outputFrom);
    }

    /** A snapshot without a past: a local replica on its first process. */
    public Replica(String id, String namespace, String revision, int port, State state, long pid, int restarts, List<String> lastOutput) {
        this(id, namespace, revision, port, state, pid, restarts, lastOutput, null, 0);
    }

    /** Where a replica is in its life. */
    public enum State {
        /** Started, not yet passing its readiness probe. */
        STARTING,
        /**
         * Accepted, but nowhere to run yet: a pod the cluster's scheduler cannot place (no node with room or a matching
         * selector). Its last output says why, in the scheduler's words.
         */
        PENDING,
        /** Passing its readiness probe: may receive requests. */
        READY,
        /** Was ready, now failing its readiness probe: no new requests. */
        NOT_READY,
        /** Exited or failed liveness; waiting to be restarted (back-off grows with each restart). */
        CRASHED,
        /** Leaving: no new requests, in-flight ones finishing, then signalled. */
        DRAINING,
        /** Gone. */
        STOPPED
    }

    /**
     * How a process ended, in the kubelet's terms.
     *
     * @param exitCode the process's exit status, or 137 (128 + SIGKILL) when Tide killed it, 128 when it never started
     * @param reason   {@code OOMKilled} (its memory reached the limit), {@code Error} (it exited non-zero or was killed
     *                 after failing liveness), {@code Completed} (it exited 0), {@code StartError} (it could not be run)
     * @param message  a line on why, or empty
     */
    public record Termination(int exitCode, String reason, String message) {
        public static final String OOM_KILLED = "OOMKilled";
        public static final String ERROR = "Error";
        public static final String COMPLETED = "Completed";
        public static final String START_ERROR = "StartError";
    }

    public boolean routable() {
        return state == State.READY;
    }
}
