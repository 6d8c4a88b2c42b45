package dev.tide.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DefaultStoreTest {

    private static final String R = "services.serving.knative.dev";
    private final DefaultStore store = new DefaultStore(Journal.none());

    private static ObjectNode object(String ns, String name, int value) {
        ObjectNode o = Json.object();
        o.putObject("metadata").put("name", name).put("namespace", ns);
        o.putObject("spec").put("value", value);
        return o;
    }

    @Test
    void staleUpdateConflictsAndCurrentOneWins() {
        ObjectKey k = new ObjectKey(R, "default", "a");
        ObjectNode created = store.create(k, object("default", "a", 1));
        String rv = created.path("metadata").path("resourceVersion").asText();
        store.update(k, object("default", "a", 2), rv);
        assertThatThrownBy(() -> store.update(k, object("default", "a", 3), rv))
                .isInstanceOf(StoreException.Conflict.class);
        assertThat(store.get(k).orElseThrow().path("spec").path("value").asInt()).isEqualTo(2);
    }

    @Test
    void noOpUpdateKeepsVersionAndNotifiesNobody() throws InterruptedException {
        ObjectKey k = new ObjectKey(R, "default", "a");
        ObjectNode created = store.create(k, object("default", "a", 1));
        try (Watch w = store.watch(R, null, store.resourceVersion(), key -> true)) {
            ObjectNode same = store.update(k, object("default", "a", 1), null);
            assertThat(same.path("metadata").path("resourceVersion")).isEqualTo(created.path("metadata").path("resourceVersion"));
            assertThat(w.poll(Duration.ZERO)).isNull();
        }
    }

    @Test
    void watchResumesFromVersionInOrderAndFiltersNamespace() throws InterruptedException {
        store.create(new ObjectKey(R, "a", "x"), object("a", "x", 1));
        long from = store.resourceVersion();
        store.create(new ObjectKey(R, "b", "y"), object("b", "y", 1));
        store.update(new ObjectKey(R, "a", "x"), object("a", "x", 2), null);
        store.delete(new ObjectKey(R, "a", "x"));
        try (Watch w = store.watch(R, "a", from, key -> true)) {
            assertThat(w.poll(Duration.ZERO).type()).isEqualTo(WatchEvent.Type.MODIFIED);
            assertThat(w.poll(Duration.ZERO).type()).isEqualTo(WatchEvent.Type.DELETED);
            assertThat(w.poll(Duration.ZERO)).isNull();
            store.create(new ObjectKey(R, "a", "z"), object("a", "z", 1));
            WatchEvent live = w.poll(Duration.ofSeconds(5));
            assertThat(live.type()).isEqualTo(WatchEvent.Type.ADDED);
            assertThat(live.key().name()).isEqualTo("z");
        }
    }

    @Test
    void tooOldVersionIsRefused() {
        store.create(new ObjectKey(R, "a", "x"), object("a", "x", -1));
        for (int i = 0; i < DefaultStore.HISTORY + 5; i++) {
            store.update(new ObjectKey(R, "a", "x"), object("a", "x", i), null);
        }
        assertThatThrownBy(() -> store.watch(R, null, 1, k -> true)).isInstanceOf(StoreException.Gone.class);
    }

    @Test
    void listIsSortedAndScopedToResource() {
        store.create(new ObjectKey(R, "a", "x"), object("a", "x", 1));
        store.create(new ObjectKey(R, "b", "m"), object("b", "m", 1));
        store.create(new ObjectKey("routes.serving.knative.dev", "a", "r"), object("a", "r", 1));
        assertThat(store.list(R, null).items()).extracting(o -> o.path("metadata").path("name").asText())
                .containsExactly("x", "m");
        assertThat(store.list(R, "b").items()).hasSize(1);
    }

    /** A journal whose forces wait until the test lets each through, recording how many appends each covered. */
    private static final class GatedJournal implements Journal {
        final AtomicInteger appended = new AtomicInteger();
        final List<Integer> forces = new CopyOnWriteArrayList<>();
        final Semaphore entered = new Semaphore(0);
        final Semaphore release = new Semaphore(0);
        volatile RuntimeException failNextForce;

        @Override
        public List<Entry> replay() {
            return List.of();
        }

        @Override
        public void append(Entry entry) {
            appended.incrementAndGet();
        }

        @Override
        public void force() {
            forces.add(appended.get());
            entered.release();
            RuntimeException fail = failNextForce;
            if (fail != null) {
                throw fail;
            }
            release.acquireUninterruptibly();
        }

        @Override
        public void compact(Collection<Entry> live, long resourceVersion) {
        }

        @Override
        public boolean wantsCompaction() {
            return false;
        }

        @Override
        public void close() {
        }

        void awaitForce() throws InterruptedException {
            assertThat(entered.tryAcquire(10, TimeUnit.SECONDS)).as("a force began").isTrue();
        }
    }

    private static void awaitAppends(GatedJournal journal, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (journal.appended.get() < n) {
            assertThat(System.nanoTime()).as("%d appends", n).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void writesAreSeenOnlyOnceForcedAndWritersQueuedBehindAForceShareTheNextOne() throws Exception {
        GatedJournal journal = new GatedJournal();
        DefaultStore gated = new DefaultStore(journal);
        try (Watch w = gated.watch(R, null, 0, k -> true);
                ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            ObjectKey a = new ObjectKey(R, "default", "a");
            Future<ObjectNode> first = writers.submit(() -> gated.create(a, object("default", "a", 1)));
            journal.awaitForce();
            // Appended, not yet durable: invisible to readers and watchers, yet a second create of it is refused.
            assertThat(gated.get(a)).isEmpty();
            assertThat(gated.resourceVersion()).isZero();
            assertThat(w.poll(Duration.ZERO)).isNull();
            assertThatThrownBy(() -> gated.create(a, object("default", "a", 9))).isInstanceOf(StoreException.AlreadyExists.class);

            Future<ObjectNode> second = writers.submit(() -> gated.create(new ObjectKey(R, "default", "b"), object("default", "b", 1)));
            Future<ObjectNode> third = writers.submit(() -> gated.create(new ObjectKey(R, "default", "c"), object("default", "c", 1)));
            awaitAppends(journal, 3);
            assertThat(second.isDone()).isFalse();
            journal.release.release();
            assertThat(first.get(10, TimeUnit.SECONDS).path("metadata").path("resourceVersion").asText()).isEqualTo("1");
            journal.awaitForce();
            journal.release.release();
            assertThat(second.get(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(third.get(10, TimeUnit.SECONDS)).isNotNull();

            assertThat(journal.forces).as("appends covered by each force").containsExactly(1, 3);
            assertThat(gated.resourceVersion()).isEqualTo(3);
            assertThat(List.of(w.poll(Duration.ZERO), w.poll(Duration.ZERO), w.poll(Duration.ZERO)))
                    .extracting(WatchEvent::resourceVersion).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void aFailedForceFailsItsWritesAndTheStoreRefusesLaterOnes() {
        GatedJournal journal = new GatedJournal();
        journal.failNextForce = new UncheckedIOException(new IOException("disk full"));
        DefaultStore failing = new DefaultStore(journal);
        ObjectKey a = new ObjectKey(R, "default", "a");
        assertThatThrownBy(() -> failing.create(a, object("default", "a", 1))).hasRootCauseMessage("disk full");
        assertThat(failing.get(a)).isEmpty();
        journal.failNextForce = null;
        assertThatThrownBy(() -> failing.create(a, object("default", "a", 1)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("refuses writes since a journal write failed");
        assertThat(journal.appended.get()).as("nothing appended after the failure").isEqualTo(1);
        assertThat(failing.list(R, null).items()).isEmpty();
    }
}
