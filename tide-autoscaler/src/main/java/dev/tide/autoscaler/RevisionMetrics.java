package dev.tide.autoscaler;

import dev.tide.autoscaler.window.MetricWindow;
import java.time.Duration;

/**
 * One revision's metric history: stable- and panic-window averages of concurrency and of requests per second.
 * Samples are revision-wide totals for one second (the scraper's extrapolated total, and each activator report,
 * summed when they land in the same second).
 *
 * <p>Not thread-safe: recorded into and read by the revision's one driver thread.
 */
public final class RevisionMetrics {

    private final MetricWindow stableConcurrency;
    private final MetricWindow panicConcurrency;
    private final MetricWindow stableRps;
    private final MetricWindow panicRps;

    /** @param algorithm {@code linear} (default) or {@code weighted-exponential} */
    public RevisionMetrics(String algorithm, Duration stableWindow, Duration panicWindow) {
        this.stableConcurrency = MetricWindow.of(algorithm, stableWindow);
        this.panicConcurrency = MetricWindow.of(algorithm, panicWindow);
        this.stableRps = MetricWindow.of(algorithm, stableWindow);
        this.panicRps = MetricWindow.of(algorithm, panicWindow);
    }

    /** Records one second's revision-wide concurrency and request rate. */
    public void record(long epochSecond, double concurrency, double rps) {
        stableConcurrency.record(epochSecond, concurrency);
        panicConcurrency.record(epochSecond, concurrency);
        stableRps.record(epochSecond, rps);
        panicRps.record(epochSecond, rps);
    }

    public void resize(Duration stableWindow, Duration panicWindow) {
        stableConcurrency.resize(stableWindow);
        stableRps.resize(stableWindow);
        panicConcurrency.resize(panicWindow);
        panicRps.resize(panicWindow);
    }

    /**
     * What a tick sees. With a scrape target (TBC other than -1, so replicas are scraped) a stable window that saw
     * nothing for a whole window means the metrics pipeline is broken: no data, no decision. Without one, the
     * activator is the only source and an empty window honestly means no traffic.
     */
    public Observation observe(Metric metric, int readyPods, boolean scraped, long epochSecond) {
        MetricWindow stable = metric == Metric.RPS ? stableRps : stableConcurrency;
        MetricWindow panic = metric == Metric.RPS ? panicRps : panicConcurrency;
        if (scraped && stable.isEmpty(epochSecond)) {
            return new Observation.Missing("no data in the stable window");
        }
        return new Observation.Metrics(readyPods, stable.average(epochSecond), panic.average(epochSecond));
    }
}
