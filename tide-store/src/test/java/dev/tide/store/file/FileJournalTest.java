package dev.tide.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.store.DefaultStore;
import dev.tide.store.ObjectKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileJournalTest {

    private static final String RESOURCE = "services.serving.knative.dev";

    @TempDir
    Path dir;

    private static ObjectKey key(String name) {
        return new ObjectKey(RESOURCE, "default", name);
    }

    private static ObjectNode object(String name, int value) {
        ObjectNode o = Json.object();
        o.putObject("metadata").put("name", name).put("namespace", "default");
        o.putObject("spec").put("value", value);
        return o;
    }

    @Test
    void acknowledgedWritesSurviveReopen() {
        try (DefaultStore store = new DefaultStore(FileJournal.open(dir))) {
            store.create(key("a"), object("a", 1));
            store.create(key("b"), object("b", 1));
            ObjectNode a = store.get(key("a")).orElseThrow();
            a.with("spec").put("value", 2);
            store.update(key("a"), a, a.path("metadata").path("resourceVersion").asText());
            store.delete(key("b"));
        }
        try (DefaultStore store = new DefaultStore(FileJournal.open(dir))) {
            assertThat(store.get(key("a")).orElseThrow().path("spec").path("value").asInt()).isEqualTo(2);
            assertThat(store.get(key("b"))).isEmpty();
            assertThat(store.resourceVersion()).isEqualTo(4);
            ObjectNode c = store.create(key("c"), object("c", 1));
            assertThat(c.path("metadata").path("resourceVersion").asText()).isEqualTo("5");
        }
    }

    @Test
    void tornLastWriteIsDroppedAndEarlierWritesKept() throws IOException {
        try (DefaultStore store = new DefaultStore(FileJournal.open(dir))) {
            store.create(key("a"), object("a", 1));
            store.create(key("b"), object("b", 1));
        }
        Path file = dir.resolve(FileJournal.FILE);
        long whole = Files.size(file);
        // A crash half-way through a third record: a header that promises more bytes than were written.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.allocate(12).putInt(500).putInt(42).putInt(7).flip());
        }
        try (DefaultStore store = new DefaultStore(FileJournal.open(dir))) {
            assertThat(store.get(key("a"))).isPresent();
            assertThat(store.get(key("b"))).isPresent();
            assertThat(Files.size(file)).isEqualTo(whole);
            store.create(key("c"), object("c", 1));
        }
        try (DefaultStore store = new DefaultStore(FileJournal.open(dir))) {
            assertThat(store.list(RESOURCE, "default").items()).hasSize(3);
        }
    }

    @Test
    void corruptRecordEndsReplay() throws IOException {
        try (DefaultStore store = new DefaultStore(FileJournal.open(dir))) {
            store.create(key("a"), object("a", 1));
        }
        long firstRecordEnd = Files.size(dir.resolve(FileJournal.FILE));
        try (DefaultStore store = new DefaultStore(FileJournal.open(dir))) {
            store.create(key("b"), object("b", 1));
        }
        byte[] bytes = Files.readAllBytes(dir.resolve(FileJournal.FILE));
        bytes[(int) firstRecordEnd + 20] ^= 0x55;
        Files.write(dir.resolve(FileJournal.FILE), bytes);
        try (DefaultStore store = new DefaultStore(FileJournal.open(dir))) {
            assertThat(store.get(key("a"))).isPresent();
            assertThat(store.get(key("b"))).isEmpty();
        }
    }

    @Test
    void compactionKeepsLiveObjectsAndVersion() throws IOException {
        try (DefaultStore store = new DefaultStore(FileJournal.open(dir, 1024))) {
            store.create(key("keep"), object("keep", 0));
            for (int i = 0; i < 200; i++) {
                store.create(key("tmp"), object("tmp", i));
                store.delete(key("tmp"));
            }
            assertThat(Files.size(dir.resolve(FileJournal.FILE))).isLessThan(8 * 1024);
            assertThat(store.resourceVersion()).isEqualTo(401);
        }
        try (DefaultStore store = new DefaultStore(FileJournal.open(dir, 1024))) {
            assertThat(store.list(RESOURCE, null).items()).extracting(o -> o.path("metadata").path("name").asText())
                    .containsExactly("keep");
            assertThat(store.resourceVersion()).isEqualTo(401);
        }
    }

    @Test
    void secondServerOnSameDirectoryIsRefused() {
        try (FileJournal first = FileJournal.open(dir)) {
            assertThatThrownBy(() -> FileJournal.open(dir))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another Tide server");
        }
    }
}
