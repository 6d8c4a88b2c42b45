package dev.tide.dataplane.stats;

import java.util.concurrent.locks.ReentrantLock;

/**
 * What queue-proxy reports to the autoscaler each second, for one replica or revision: the time-weighted average
 * number of requests in flight and the arrivals per second. Tide's gateway is the activator and the queue-proxy
 * in one place, so each request is counted once, whichever path it took.
 *
 * <p>Concurrency is integrated over time: each change adds {@code concurrency x time since the last change}.
 * Worked examples from Knative: one request spanning the whole second reports 1.0; requests over [0, 600] ms and
 * [100, 1000] ms report 0.6 + 0.9 = 1.5; a request from 0 to 1500 ms reports 1.0, then 0.5 for the next second.
 * An event stamped before the last change adds no time but still moves the count.
 *
 * <p>Threading: request starts and ends come from several event loops; one lock guards the counters, held for a
 * few arithmetic operations. Nothing is allocated per request.
 */
public final class RequestStats {

    /**
     * One report period.
     *
     * @param concurrency       time-weighted average requests in flight
     * @param requestsPerSecond arrivals per second
     */
    public record Report(double concurrency, double requestsPerSecond) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private int inFlight;
    private long lastChangeNanos;
    private long lastReportNanos;
    /** Request-nanoseconds since the last report. */
    private double integral;
    private long arrivals;

    public RequestStats(long nowNanos) {
        this.lastChangeNanos = nowNanos;
        this.lastReportNanos = nowNanos;
    }

    public void started(long nowNanos) {
        lock.lock();
        try {
            advance(nowNanos);
            inFlight++;
            arrivals++;
        } finally {
            lock.unlock();
        }
    }

    public void ended(long nowNanos) {
        lock.lock();
        try {
            advance(nowNanos);
            inFlight--;
        } finally {
            lock.unlock();
        }
    }

    /** Requests in flight right now. */
    public int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the period that started at the last report and starts the next. */
    public Report report(long nowNanos) {
        lock.lock();
        try {
            advance(nowNanos);
            double period = Math.max(1, nowNanos - lastReportNanos);
            Report r = new Report(integral / period, arrivals * 1e9 / period);
            integral = 0;
            arrivals = 0;
            lastReportNanos = nowNanos;
            return r;
        } finally {
            lock.unlock();
        }
    }

    private void advance(long nowNanos) {
        if (nowNanos > lastChangeNanos) {
            long dt = nowNanos - lastChangeNanos;
            integral += (double) inFlight * dt;
            lastChangeNanos = nowNanos;
        }
    }
}
