package dev.tide.autoscaler.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Section 3 of the autoscaler notes: bucketed averages, partial windows, gaps, resizing, and the sliding max. */
class WindowsTest {

    private static final long T0 = 1_700_000_000L; // an arbitrary whole second

    @Test
    void aPartialWindowAveragesOverWhatItSaw() {
        LinearWindow w = new LinearWindow(Duration.ofSeconds(60));
        w.record(T0, 10);
        assertThat(w.average(T0)).isEqualTo(10.0);
    }

    @Test
    void samplesInOneSecondAreSummed() {
        LinearWindow w = new LinearWindow(Duration.ofSeconds(60));
        w.record(T0, 10);
        w.record(T0, 5);
        assertThat(w.average(T0)).isEqualTo(15.0);
    }

    @Test
    void gapsInsideTheDataCountAsZeros() {
        LinearWindow w = new LinearWindow(Duration.ofSeconds(60));
        w.record(T0, 10);
        w.record(T0 + 2, 10);
        assertThat(w.average(T0 + 2)).isEqualTo(20.0 / 3, within(1e-6));
    }

    @Test
    void whenDataStopsTheWindowShrinksFromTheFront() {
        LinearWindow w = new LinearWindow(Duration.ofSeconds(60));
        for (int i = 0; i < 10; i++) {
            w.record(T0 + i, 10);
        }
        assertThat(w.average(T0 + 12)).isEqualTo(10.0);
        assertThat(w.average(T0 + 9 + 59)).isEqualTo(10.0);
        assertThat(w.average(T0 + 9 + 60)).as("a window after the last write").isZero();
        assertThat(w.isEmpty(T0 + 9 + 60)).isTrue();
    }

    @Test
    void aFullWindowDropsItsOldestSeconds() {
        LinearWindow w = new LinearWindow(Duration.ofSeconds(6));
        for (int i = 0; i < 6; i++) {
            w.record(T0 + i, i < 3 ? 0 : 12);
        }
        assertThat(w.average(T0 + 5)).isEqualTo(6.0);
        w.record(T0 + 6, 12);
        assertThat(w.average(T0 + 6)).as("second 0 left the window").isEqualTo(8.0);
        // At second 8 with no new data: seconds 7 and 8 are unknown, so only 3..6 are averaged.
        assertThat(w.average(T0 + 8)).isEqualTo(12.0);
    }

    @Test
    void aWindowLongGapStartsAfresh() {
        LinearWindow w = new LinearWindow(Duration.ofSeconds(6));
        w.record(T0, 100);
        w.record(T0 + 6, 1);
        assertThat(w.average(T0 + 6)).isEqualTo(1.0);
    }

    @Test
    void samplesOlderThanTheWindowAreIgnored() {
        LinearWindow w = new LinearWindow(Duration.ofSeconds(6));
        w.record(T0 + 10, 6);
        w.record(T0 + 4, 1000);
        assertThat(w.average(T0 + 10)).isEqualTo(6.0);
    }

    @Test
    void averagesAreRoundedToSixDecimals() {
        LinearWindow w = new LinearWindow(Duration.ofSeconds(60));
        w.record(T0, 1);
        w.record(T0 + 2, 1);
        assertThat(w.average(T0 + 2)).isEqualTo(0.666667);
    }

    @Test
    void resizingKeepsTheNewestData() {
        LinearWindow w = new LinearWindow(Duration.ofSeconds(60));
        for (int i = 0; i < 10; i++) {
            w.record(T0 + i, i);
        }
        w.resize(Duration.ofSeconds(6));
        assertThat(w.average(T0 + 9)).isEqualTo((4 + 5 + 6 + 7 + 8 + 9) / 6.0, within(1e-6));
        w.resize(Duration.ofSeconds(60));
        assertThat(w.average(T0 + 9)).isEqualTo((4 + 5 + 6 + 7 + 8 + 9) / 6.0, within(1e-6));
    }

    @Test
    void weightedCoefficientsMatchKnative() {
        assertThat(WeightedExponentialWindow.coefficient(6)).isEqualTo(0.78456, within(1e-5));
        assertThat(WeightedExponentialWindow.coefficient(40)).isEqualTo(0.20567, within(1e-5));
        assertThat(WeightedExponentialWindow.coefficient(60)).isEqualTo(0.2);
        assertThat(WeightedExponentialWindow.coefficient(600)).isEqualTo(0.2);
    }

    @Test
    void weightedAverageFavoursTheNewestSecondAndIsNotNormalised() {
        WeightedExponentialWindow w = new WeightedExponentialWindow(Duration.ofSeconds(60));
        w.record(T0, 10);
        assertThat(w.average(T0)).isEqualTo(2.0, within(1e-9)); // 10 * 0.2, not normalised
        w.record(T0 + 1, 10);
        assertThat(w.average(T0 + 1)).isEqualTo(10 * 0.2 + 10 * 0.2 * 0.8, within(1e-9));
        assertThat(w.average(T0 + 2)).as("an empty second moves the weight on").isEqualTo(10 * 0.2 * 0.8 + 10 * 0.2 * 0.64, within(1e-9));
        assertThat(w.average(T0 + 1 + 61)).isZero();
    }

    @Test
    void algorithmIsChosenByName() {
        assertThat(MetricWindow.of("", Duration.ofSeconds(6))).isInstanceOf(LinearWindow.class);
        assertThat(MetricWindow.of("weightedExponential", Duration.ofSeconds(6))).isInstanceOf(WeightedExponentialWindow.class);
    }

    @Test
    void scaleDownDelayKeepsTheMaximumForTheDelay() {
        MaxWindow w = new MaxWindow(Duration.ofMinutes(5));
        assertThat(w.buckets()).isEqualTo(150);
        w.record(2, 4);
        w.record(300, 0);
        assertThat(w.current()).isEqualTo(4);
        w.record(302, 0);
        assertThat(w.current()).isZero();
    }

    @Test
    void scaleDownDelayStepsDownThroughOlderMaxima() {
        MaxWindow w = new MaxWindow(Duration.ofSeconds(10)); // 5 buckets
        w.record(0, 5);
        w.record(2, 3);
        w.record(4, 4);
        w.record(4, 1); // same bucket, smaller: no effect
        assertThat(w.current()).isEqualTo(5);
        w.record(10, 1);
        assertThat(w.current()).as("bucket 0 expired, 4 (bucket 2) is the largest left").isEqualTo(4);
        w.record(14, 1);
        assertThat(w.current()).isEqualTo(1);
        for (int s = 16; s < 1000; s += 2) {
            w.record(s, s % 7);
        }
        int lastFiveBuckets = java.util.stream.IntStream.of(990, 992, 994, 996, 998).map(s -> s % 7).max().orElseThrow();
        assertThat(w.current()).isEqualTo(lastFiveBuckets);
    }
}
