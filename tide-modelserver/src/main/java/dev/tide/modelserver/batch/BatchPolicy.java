package dev.tide.modelserver.batch;

import java.time.Duration;

/**
 * When requests are merged into one model run.
 *
 * @param maxBatchSize the most rows one run takes (KServe's {@code batcher.maxBatchSize})
 * @param maxDelay     how long the first request of a batch waits for others to join (KServe's
 *                     {@code batcher.maxLatency}). Zero means greedy batching: a run takes every request already
 *                     queued and never waits, so a lone request pays nothing and requests that arrive while the
 *                     model is busy share the next run.
 */
public record BatchPolicy(int maxBatchSize, Duration maxDelay) {

    public static final BatchPolicy DEFAULT = new BatchPolicy(32, Duration.ZERO);

    public BatchPolicy {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + maxBatchSize);
        }
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must not be negative, got " + maxDelay);
        }
    }
}
