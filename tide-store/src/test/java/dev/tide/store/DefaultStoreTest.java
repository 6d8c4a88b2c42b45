package dev.tide.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import java.time.Duration;
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
}
