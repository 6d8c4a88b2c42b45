package dev.tide.bench;

import dev.tide.common.time.Scheduler;
import dev.tide.dataplane.ServingException;
import dev.tide.dataplane.limiter.Breaker;
import dev.tide.dataplane.stats.RequestStats;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The per-request costs of the request path's bookkeeping: taking and returning a containerConcurrency slot, and
 * recording a request's start and end for the autoscaler. Run alone and with 2 threads sharing one breaker.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LimiterBenchmark {

    /** Timers are never needed on these paths: slots are always free. */
    private static final Scheduler NO_TIMERS = new Scheduler() {
        @Override
        public dev.tide.common.time.Ticker ticker() {
            return () -> 0;
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            throw new AssertionError("no timer expected");
        }
    };

    private final Breaker breaker = new Breaker(1_000, 10_000, NO_TIMERS);
    private final RequestStats stats = new RequestStats(0);
    private final Breaker.Listener releaseAtOnce = new Breaker.Listener() {
        @Override
        public void granted(Breaker.Permit permit) {
            permit.release();
        }

        @Override
        public void rejected(ServingException reason) {
            throw new AssertionError(reason);
        }
    };
    private long now;

    @Benchmark
    public void acquireRelease() {
        breaker.acquire(1_000_000_000L, releaseAtOnce);
    }

    @Benchmark
    @Threads(2)
    public void acquireReleaseTwoThreads() {
        breaker.acquire(1_000_000_000L, releaseAtOnce);
    }

    @Benchmark
    public void recordRequest() {
        long t = now += 1000;
        stats.started(t);
        stats.ended(t + 500);
    }
}
