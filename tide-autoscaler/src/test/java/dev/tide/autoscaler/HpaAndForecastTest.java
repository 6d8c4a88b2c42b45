package dev.tide.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HpaAndForecastTest {

    private static final long S = 1_000_000_000L;

    @Test
    void hpaScalesProportionallyOutsideTheTolerance() {
        HpaDecider hpa = new HpaDecider(60, HpaDecider.DOWNSCALE_STABILIZATION);
        assertThat(hpa.decide(4, 90, 0)).isEqualTo(6);
        assertThat(hpa.decide(6, 63, S)).as("ratio 1.05 is within 10%").isEqualTo(6);
        assertThat(hpa.decide(0, 0, 2 * S)).isZero();
    }

    @Test
    void hpaScaleDownWaitsForTheStabilizationWindow() {
        HpaDecider hpa = new HpaDecider(50, Duration.ofMinutes(5));
        assertThat(hpa.decide(2, 150, 0)).isEqualTo(6);
        assertThat(hpa.decide(6, 10, 60 * S)).as("the 6 of a minute ago holds").isEqualTo(6);
        assertThat(hpa.decide(6, 10, 299 * S)).isEqualTo(6);
        assertThat(hpa.decide(6, 10, 300 * S)).as("now only low recommendations remain").isEqualTo(2);
    }

    @Test
    void forecastIsTheMedianOfPreviousDaysAtThatMinutePlusTheLead() {
        SeasonalForecast f = new SeasonalForecast(7, Duration.ofMinutes(2));
        long day = 86_400;
        long nine = 9 * 3600;
        double[] loads = {80, 300, 100};
        for (int d = 0; d < 3; d++) {
            f.record(d * day + nine + 120, loads[d]);
            f.record(d * day + nine + 121, loads[d] / 2); // a lower second in the same minute: the peak counts
        }
        long today = 3 * day + nine;
        assertThat(f.forecast(today)).hasValue(100.0);
        assertThat(f.forecast(today + 600)).as("no history at 09:12").isEmpty();
    }

    @Test
    void forecastForgetsDaysBeyondItsHistory() {
        SeasonalForecast f = new SeasonalForecast(1, Duration.ZERO);
        f.record(0, 50);
        assertThat(f.forecast(86_400)).hasValue(50.0);
        assertThat(f.forecast(2 * 86_400)).as("two days back is out of a one-day history").isEmpty();
    }
}
