package dev.tide.dataplane.limiter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.dataplane.ServingException;
import dev.tide.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BreakerTest {

    private static final long SECOND = 1_000_000_000L;
    private final ManualScheduler scheduler = new ManualScheduler();

    /** Records what a request was told. */
    private static final class Outcome implements Breaker.Listener {
        Breaker.Permit permit;
        ServingException rejection;
        int calls;

        @Override
        public void granted(Breaker.Permit p) {
            permit = p;
            calls++;
        }

        @Override
        public void rejected(ServingException reason) {
            rejection = reason;
            calls++;
        }
    }

    private Outcome acquire(Breaker b, long timeoutNanos) {
        Outcome o = new Outcome();
        b.acquire(timeoutNanos, o);
        return o;
    }

    @Test
    void knativesExampleDepthOneConcurrencyOne() {
        Breaker b = new Breaker(1, 1, scheduler);
        Outcome first = acquire(b, 10 * SECOND);
        Outcome second = acquire(b, 10 * SECOND);
        Outcome third = acquire(b, 10 * SECOND);
        assertThat(first.permit).isNotNull();
        assertThat(second.calls).as("waiting").isZero();
        assertThat(third.rejection).isSameAs(ServingException.QUEUE_FULL);
        assertThat(third.rejection.status()).isEqualTo(503);
        assertThat(third.rejection.getMessage()).isEqualTo("pending request queue full");
        first.permit.release();
        assertThat(second.permit).isNotNull();
    }

    @Test
    void containerConcurrencyOneQueuesTenAndServesOneAtATimeInOrder() {
        Breaker b = Breaker.forContainerConcurrency(1, scheduler);
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            outcomes.add(acquire(b, 60 * SECOND));
        }
        assertThat(outcomes.get(11).rejection).as("the 12th: 1 running + 10 waiting is the limit").isSameAs(ServingException.QUEUE_FULL);
        for (int i = 0; i < 11; i++) {
            assertThat(outcomes.stream().filter(o -> o.permit != null).count()).isEqualTo(i + 1);
            assertThat(b.inFlight()).isEqualTo(1);
            assertThat(outcomes.get(i).permit).as("request %d runs now", i).isNotNull();
            outcomes.get(i).permit.release();
        }
        assertThat(b.inFlight()).isZero();
        assertThat(b.waiting()).isZero();
    }

    @Test
    void aWaiterThatTimesOutIsToldOnceAndNeverGranted() {
        Breaker b = new Breaker(1, 5, scheduler);
        Outcome holder = acquire(b, SECOND);
        Outcome waiter = acquire(b, 2 * SECOND);
        scheduler.advance(Duration.ofMillis(1999));
        assertThat(waiter.calls).isZero();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(waiter.rejection).isSameAs(ServingException.REQUEST_TIMEOUT);
        assertThat(waiter.rejection.status()).isEqualTo(504);
        assertThat(b.waiting()).isZero();
        holder.permit.release();
        assertThat(waiter.calls).isEqualTo(1);
        assertThat(b.inFlight()).isZero();
    }

    @Test
    void aGrantedWaitersTimerIsCancelled() {
        Breaker b = new Breaker(1, 5, scheduler);
        Outcome holder = acquire(b, SECOND);
        Outcome waiter = acquire(b, SECOND);
        holder.permit.release();
        assertThat(waiter.permit).isNotNull();
        assertThat(scheduler.pending()).isZero();
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(waiter.calls).isEqualTo(1);
    }

    @Test
    void capacityZeroQueuesUntilItGrows() {
        Breaker activator = new Breaker(0, 10_000, scheduler);
        List<Outcome> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiting.add(acquire(activator, 300 * SECOND));
        }
        assertThat(waiting).allMatch(o -> o.calls == 0);
        activator.setLimits(3, 10_000);
        assertThat(waiting.stream().filter(o -> o.permit != null).count()).isEqualTo(3);
        activator.setLimits(Integer.MAX_VALUE, 10_000);
        assertThat(waiting).allMatch(o -> o.permit != null);
    }

    @Test
    void releasingTwiceCountsOnce() {
        Breaker b = new Breaker(2, 0, scheduler);
        Outcome o = acquire(b, SECOND);
        acquire(b, SECOND);
        o.permit.release();
        o.permit.release();
        assertThat(b.inFlight()).isEqualTo(1);
    }

    @Test
    void listenersThatReleaseAtOnceDoNotGrowTheStack() {
        Breaker b = new Breaker(1, 100_000, scheduler);
        Outcome holder = acquire(b, SECOND);
        AtomicInteger served = new AtomicInteger();
        for (int i = 0; i < 50_000; i++) {
            b.acquire(60 * SECOND, new Breaker.Listener() {
                @Override
                public void granted(Breaker.Permit permit) {
                    served.incrementAndGet();
                    permit.release(); // grants the next waiter from inside this callback
                }

                @Override
                public void rejected(ServingException reason) {
                    throw new AssertionError(reason);
                }
            });
        }
        holder.permit.release();
        assertThat(served.get()).isEqualTo(50_000);
        assertThat(b.inFlight()).isZero();
    }

    @Test
    void neverMoreInFlightThanCapacityUnderContention() throws InterruptedException {
        Breaker b = new Breaker(3, 1_000_000, scheduler);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        int threads = 8;
        int perThread = 5_000;
        CountDownLatch done = new CountDownLatch(threads);
        java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int t = 0; t < threads; t++) {
            Thread.ofPlatform().uncaughtExceptionHandler((th, e) -> {
                failures.add(e);
                done.countDown();
            }).start(() -> {
                for (int i = 0; i < perThread; i++) {
                    b.acquire(Long.MAX_VALUE / 4, new Breaker.Listener() {
                        @Override
                        public void granted(Breaker.Permit permit) {
                            maxSeen.accumulateAndGet(running.incrementAndGet(), Math::max);
                            running.decrementAndGet();
                            served.incrementAndGet();
                            permit.release();
                        }

                        @Override
                        public void rejected(ServingException reason) {
                            throw new AssertionError(reason);
                        }
                    });
                }
                done.countDown();
            });
        }
        assertThat(done.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("workers finished").isTrue();
        assertThat(failures).isEmpty();
        assertThat(served.get()).isEqualTo(threads * perThread);
        assertThat(maxSeen.get()).isLessThanOrEqualTo(3);
        assertThat(b.inFlight()).isZero();
        assertThat(b.waiting()).isZero();
    }
}
