package dev.tide.controlplane.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkQueueTest {

    private static final Duration NO_WAIT = Duration.ofMillis(1);

    @Test
    void aKeyAddedTwiceIsHandedOutOnceInArrivalOrder() throws InterruptedException {
        WorkQueue<String> q = new WorkQueue<>();
        q.add("a");
        q.add("b");
        q.add("a");
        assertThat(q.take(NO_WAIT)).isEqualTo("a");
        assertThat(q.take(NO_WAIT)).isEqualTo("b");
        assertThat(q.take(NO_WAIT)).isNull();
    }

    @Test
    void aKeyHeldByOneWorkerIsNotHandedToAnotherButComesBackWhenItIsDone() throws InterruptedException {
        WorkQueue<String> q = new WorkQueue<>();
        q.add("a");
        assertThat(q.take(NO_WAIT)).isEqualTo("a");
        q.add("a"); // changed while being reconciled
        q.add("b");
        assertThat(q.take(NO_WAIT)).as("a is held").isEqualTo("b");
        assertThat(q.take(NO_WAIT)).isNull();
        q.done("a", false);
        assertThat(q.take(NO_WAIT)).as("its last change is seen").isEqualTo("a");
    }

    @Test
    void aFailedKeyIsRetriedOnlyOnceTheQueueIsIdle() throws InterruptedException {
        WorkQueue<String> q = new WorkQueue<>();
        q.add("a");
        q.take(NO_WAIT);
        q.done("a", true);
        q.add("b");
        assertThat(q.take(NO_WAIT)).as("not while there is other work").isEqualTo("b");
        q.done("b", false);
        assertThat(q.take(NO_WAIT)).as("after an idle wait, the retries").isEqualTo("a");
        q.done("a", false);
        assertThat(q.take(NO_WAIT)).isNull();
    }

    @Test
    void aWaitingWorkerWakesForANewKey() throws Exception {
        WorkQueue<String> q = new WorkQueue<>();
        var taken = new java.util.concurrent.CompletableFuture<String>();
        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                taken.complete(q.take(Duration.ofMinutes(1)));
            } catch (InterruptedException e) {
                taken.completeExceptionally(e);
            }
        });
        q.add("a");
        assertThat(taken.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("a");
        worker.join();
    }
}
