package dev.tide.autoscaler;

/** What a tick sees of a revision: its metrics, or why there are none. */
public sealed interface Observation {

    /**
     * @param readyPods ready replicas
     * @param stable    the stable-window average of the revision-wide metric
     * @param panic     the panic-window average of the revision-wide metric
     */
    record Metrics(int readyPods, double stable, double panic) implements Observation {
    }

    /** No usable data: the tick changes nothing. */
    record Missing(String reason) implements Observation {
    }
}
