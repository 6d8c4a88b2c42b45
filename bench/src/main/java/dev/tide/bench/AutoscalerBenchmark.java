package dev.tide.bench;

import dev.tide.autoscaler.DeciderSpec;
import dev.tide.autoscaler.AutoscalerSpec;
import dev.tide.autoscaler.KpaAutoscaler;
import dev.tide.autoscaler.KpaDecider;
import dev.tide.autoscaler.RevisionAutoscaler;
import dev.tide.autoscaler.ScalePolicy;
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
    private KpaAutoscaler[] fleet;
    private long second;
    private final Observation.Metrics busy = new Observation.Metrics(4, 31.5, 44.2);

    @Setup(Level.Trial)
    public void setUp() {
        second = 1_700_000_000L;
        decider = new KpaDecider(spec, 4, second * SECOND);
        metrics = new RevisionMetrics("linear", spec.stableWindow(), spec.panicWindow());
        fleet = new KpaAutoscaler[REVISIONS];
        AutoscalerSpec revision = new AutoscalerSpec("kpa.autoscaling.knative.dev", "concurrency", spec,
                new ScalePolicy(0, 0, 1, true, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(630)),
                "linear", null, null);
        for (int i = 0; i < REVISIONS; i++) {
            fleet[i] = new KpaAutoscaler(revision, 1, new RevisionAutoscaler.Now(second * SECOND, second * SECOND));
            for (int s = 0; s < 60; s++) {
                fleet[i].record(second - 60 + s, new RevisionAutoscaler.Load(i % 17, i % 5, Double.NaN));
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

    /**
     * A full 2-second tick over 10,000 revisions as the server's loop runs it (two seconds recorded, one decision with
     * the scale rules, through each revision's {@link KpaAutoscaler}); the score is per revision, multiply by 10,000
     * for the tick.
     */
    @Benchmark
    @OperationsPerInvocation(REVISIONS)
    public int tick10kRevisions() {
        second += 2;
        int sum = 0;
        RevisionAutoscaler.Now now = new RevisionAutoscaler.Now(second * SECOND, second * SECOND);
        for (int i = 0; i < REVISIONS; i++) {
            KpaAutoscaler a = fleet[i];
            a.record(second - 1, new RevisionAutoscaler.Load(i % 17, i % 5, Double.NaN));
            a.record(second, new RevisionAutoscaler.Load((i + second) % 23, i % 5, Double.NaN));
            sum += a.decide(2, 2, now).applied().want();
        }
        return sum;
    }
}
