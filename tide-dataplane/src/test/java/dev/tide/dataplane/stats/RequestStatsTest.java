package dev.tide.dataplane.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Section 5.2 of the autoscaler notes: time-weighted concurrency and per-second arrivals. */
class RequestStatsTest {

    private static final long MS = 1_000_000L;

    @Test
    void oneRequestSpanningTheSecondIsOne() {
        RequestStats s = new RequestStats(0);
        s.started(0);
        assertThat(s.report(1000 * MS).concurrency()).isEqualTo(1.0);
    }

    @Test
    void overlappingRequestsAddTheirShares() {
        RequestStats s = new RequestStats(0);
        s.started(0);
        s.started(100 * MS);
        s.ended(600 * MS);
        s.ended(1000 * MS);
        RequestStats.Report r = s.report(1000 * MS);
        assertThat(r.concurrency()).isEqualTo(1.5, within(1e-9));
        assertThat(r.requestsPerSecond()).isEqualTo(2.0, within(1e-9));
    }

    @Test
    void aLongRequestSpreadsOverReports() {
        RequestStats s = new RequestStats(0);
        s.started(0);
        assertThat(s.report(1000 * MS).concurrency()).isEqualTo(1.0);
        s.ended(1500 * MS);
        RequestStats.Report second = s.report(2000 * MS);
        assertThat(second.concurrency()).isEqualTo(0.5, within(1e-9));
        assertThat(second.requestsPerSecond()).as("arrivals are counted once, when they arrive").isZero();
    }

    @Test
    void anEventStampedBeforeTheLastChangeAddsNoTimeButCounts() {
        RequestStats s = new RequestStats(0);
        s.started(500 * MS);
        s.ended(400 * MS);
        assertThat(s.inFlight()).isZero();
        assertThat(s.report(1000 * MS).concurrency()).isZero();
    }
}
