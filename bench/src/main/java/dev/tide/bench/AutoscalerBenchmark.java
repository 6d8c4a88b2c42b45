package dev.tide.bench;

import dev.tide.autoscaler.DeciderSpec;
import dev.tide.autoscaler.KpaDecider;
import dev.tide.autoscaler.Metric;
import dev.tide.autoscaler.Observation;
import dev.tide.autoscaler.RevisionMetrics;
import dev.tide.autoscaler.ScaleDecision;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The autoscaler's costs: one decision, one recorded sample, and a whole tick of 10,000 revisions (each records its
 * second's sample, then decides), which is what one autoscaler thread does every 2 s on a busy Tide.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AutoscalerBenchmark {

    static final int REVISIONS = 10_000;
    private static final long SECOND = 1_000_000_000L;

    private final DeciderSpec spec = new DeciderSpec(Metric.CONCURRENCY, 7, 10, 211, 2.0, 1000, 2, Duration.ofSeconds(60),
            Duration.ofSeconds(6), Duration.ofMinutes(2), 0, 1, true);
    private KpaDecider decider;
    private RevisionMetrics metrics;
    private KpaDecider[] deciders;
    private RevisionMetrics[] fleet;
    private long second;
    private final Observation.Metrics busy = new Observation.Metrics(4, 31.5, 44.2);

    @Setup(Level.Trial)
    public void setUp() {
        second = 1_700_000_000L;
        decider = new KpaDecider(spec, 4, second * SECOND);
        metrics = new RevisionMetrics("linear", spec.stableWindow(), spec.panicWindow());
        deciders = new KpaDecider[REVISIONS];
        fleet = new RevisionMetrics[REVISIONS];
        for (int i = 0; i < REVISIONS; i++) {
            deciders[i] = new KpaDecider(spec, 1, second * SECOND);
            fleet[i] = new RevisionMetrics("linear", spec.stableWindow(), spec.panicWindow());
            for (int s = 0; s < 60; s++) {
                fleet[i].record(second - 60 + s, i % 17, i % 5);
            }
        }
    }

    /** One tick of one revision's decider. */
    @Benchmark
    public ScaleDecision decide() {
        second += 2;
        return decider.decide(busy, second * SECOND);
    }

    /** Recording one second's sample into the four windows of a revision, then reading its observation. */
    @Benchmark
    public Observation recordSample() {
        second++;
        metrics.record(second, 12.5, 40);
        return metrics.observe(Metric.CONCURRENCY, 3, true, second);
    }

    /** A full 2-second tick over 10,000 revisions; the score is per revision, multiply by 10,000 for the tick. */
    @Benchmark
    @OperationsPerInvocation(REVISIONS)
    public int tick10kRevisions() {
        second += 2;
        int sum = 0;
        for (int i = 0; i < REVISIONS; i++) {
            RevisionMetrics m = fleet[i];
            m.record(second - 1, i % 17, i % 5);
            m.record(second, (i + second) % 23, i % 5);
            ScaleDecision d = deciders[i].decide(m.observe(Metric.CONCURRENCY, 2, true, second), second * SECOND);
            if (d instanceof ScaleDecision.Scale s) {
                sum += s.desired();
            }
        }
        return sum;
    }
}
