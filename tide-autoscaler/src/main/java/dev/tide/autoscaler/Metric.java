package dev.tide.autoscaler;

/** What a request-driven revision scales on. */
public enum Metric {
    /** Requests in flight, revision-wide. */
    CONCURRENCY,
    /** Requests per second, revision-wide. */
    RPS
}
