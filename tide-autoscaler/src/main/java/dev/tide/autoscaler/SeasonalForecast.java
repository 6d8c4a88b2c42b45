package dev.tide.autoscaler;

import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * Tide's predictive option for periodic traffic: scale ahead of a load that comes back at the same time each day.
 *
 * <p>The revision's own load is kept per minute (the highest second of each minute) for the last {@code days}
 * days. The forecast for a moment is the median of the load at that minute of the day, plus the {@code lead}, on
 * each previous day that has data: the median so that a one-off spike on one day does not buy replicas every day.
 * The autoscaler then wants {@code max(KPA's desired, ceil(forecast / target))}: prediction only ever adds
 * capacity ahead of time, it never scales below what the observed load asks for.
 *
 * <p>Worked example, lead 2 minutes, target 10: on the last three days the load at 09:02 was 80, 100 and 300
 * requests in flight; at 09:00 today the forecast is median(80, 100, 300) = 100, so 10 replicas are wanted even if
 * the load right now is 0, and they are ready by 09:02.
 *
 * <p>Memory: one double and one long per minute of history (7 days: 10,080 minutes, 160 KiB).
 * Not thread-safe: one revision's forecast is driven by one thread.
 */
public final class SeasonalForecast {

    static final int MINUTES_PER_DAY = 24 * 60;

    private final int days;
    private final long leadSeconds;
    private final double[] peak;
    /** The absolute minute each slot holds, so stale slots from an older lap of the ring are told apart. */
    private final long[] minuteOf;

    public SeasonalForecast(int days, Duration lead) {
        if (days < 1 || days > 28) {
            throw new IllegalArgumentException("days: " + days + " (expected: 1..28)");
        }
        this.days = days;
        this.leadSeconds = lead.toSeconds();
        this.peak = new double[(days + 1) * MINUTES_PER_DAY];
        this.minuteOf = new long[peak.length];
        Arrays.fill(minuteOf, Long.MIN_VALUE);
    }

    /** Records one second's revision-wide load. */
    public void record(long epochSecond, double value) {
        long minute = Math.floorDiv(epochSecond, 60);
        int slot = (int) Math.floorMod(minute, (long) peak.length);
        if (minuteOf[slot] != minute) {
            minuteOf[slot] = minute;
            peak[slot] = value;
        } else {
            peak[slot] = Math.max(peak[slot], value);
        }
    }

    /** The load expected {@code lead} after {@code epochSecond}, or empty without a previous day of history. */
    public OptionalDouble forecast(long epochSecond) {
        long minute = Math.floorDiv(epochSecond + leadSeconds, 60);
        double[] seen = new double[days];
        int n = 0;
        for (int d = 1; d <= days; d++) {
            long past = minute - (long) d * MINUTES_PER_DAY;
            int slot = (int) Math.floorMod(past, (long) peak.length);
            if (minuteOf[slot] == past) {
                seen[n++] = peak[slot];
            }
        }
        if (n == 0) {
            return OptionalDouble.empty();
        }
        Arrays.sort(seen, 0, n);
        return OptionalDouble.of(n % 2 == 1 ? seen[n / 2] : (seen[n / 2 - 1] + seen[n / 2]) / 2);
    }

    /** One minute of history: the highest second of that (absolute, since the epoch) minute. */
    public record MinutePeak(long minute, double peak) {
    }

    /** The history kept, oldest minute first, so that it can outlive a restart. */
    public java.util.List<MinutePeak> history() {
        java.util.List<MinutePeak> out = new java.util.ArrayList<>();
        for (int i = 0; i < peak.length; i++) {
            if (minuteOf[i] != Long.MIN_VALUE) {
                out.add(new MinutePeak(minuteOf[i], peak[i]));
            }
        }
        out.sort(java.util.Comparator.comparingLong(MinutePeak::minute));
        return out;
    }

    /** Takes back a history from {@link #history}; minutes beyond this forecast's days are dropped by the ring. */
    public void restore(java.util.List<MinutePeak> history) {
        for (MinutePeak m : history) {
            int slot = (int) Math.floorMod(m.minute(), (long) peak.length);
            if (minuteOf[slot] == Long.MIN_VALUE || minuteOf[slot] < m.minute()) {
                minuteOf[slot] = m.minute();
                peak[slot] = m.peak();
            } else if (minuteOf[slot] == m.minute()) {
                peak[slot] = Math.max(peak[slot], m.peak());
            }
        }
    }
}
