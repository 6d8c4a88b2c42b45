package dev.tide.runtime;

import java.util.List;

/**
 * A snapshot of one replica.
 *
 * @param port       where it listens (the {@code PORT} it was given)
 * @param restarts   how often it was restarted after a crash or a failed liveness probe
 * @param lastOutput the last lines it printed, newest last (for crash reports)
 */
public record Replica(String id, String namespace, String revision, int port, State state, long pid, int restarts,
                      List<String> lastOutput) {

    /** Where a replica is in its life. */
    public enum State {
        /** Started, not yet passing its readiness probe. */
        STARTING,
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

    public boolean routable() {
        return state == State.READY;
    }
}
