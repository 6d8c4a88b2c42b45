package dev.tide.controlplane.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.registry.ClusterConfigSource;
import dev.tide.controlplane.registry.Registry;
import dev.tide.store.DefaultStore;
import dev.tide.store.Journal;
import dev.tide.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventRecorderTest {

    private final ManualClock clock = new ManualClock();
    private final DefaultStore store = new DefaultStore(Journal.none());
    private final Registry registry = new Registry(store, clock, new ClusterConfigSource(store, "example.com"), () -> "uid");
    private final EventRecorder.Reference rev = new EventRecorder.Reference("serving.knative.dev/v1", "Revision", "default",
            "hello-00001", "uid-7");

    private List<ObjectNode> events() {
        return registry.list(ResourceTypes.EVENT, null).items();
    }

    @Test
    void anEventNamesItsObjectSourceAndTimes() {
        new EventRecorder(registry, clock, Runnable::run).source("tide-autoscaler").normal(rev, "ScaledUp", "Scaled from 0 to 1");
        ObjectNode e = events().getFirst();
        assertThat(Meta.name(e)).startsWith("hello-00001.");
        assertThat(Meta.namespace(e)).isEqualTo("default");
        assertThat(e.path("involvedObject").path("kind").asText()).isEqualTo("Revision");
        assertThat(e.path("involvedObject").path("uid").asText()).isEqualTo("uid-7");
        assertThat(e.path("type").asText()).isEqualTo("Normal");
        assertThat(e.path("source").path("component").asText()).isEqualTo("tide-autoscaler");
        assertThat(e.path("count").asInt()).isEqualTo(1);
        assertThat(e.path("firstTimestamp").asText()).isEqualTo(clock.instant().toString());
    }

    @Test
    void repeatsWithinTenMinutesAreOneEventThatCounts() {
        EventRecorder.Source s = new EventRecorder(registry, clock, Runnable::run).source("tide-runtime");
        s.warning(rev, "BackOff", "replica r1 exited");
        clock.advance(Duration.ofMinutes(9));
        s.warning(rev, "BackOff", "replica r1 exited");
        s.warning(rev, "BackOff", "replica r2 exited"); // another message: its own event
        assertThat(events()).hasSize(2);
        ObjectNode first = events().stream().filter(e -> e.path("message").asText().contains("r1")).findFirst().orElseThrow();
        assertThat(first.path("count").asInt()).isEqualTo(2);
        assertThat(first.path("lastTimestamp").asText()).isEqualTo(clock.instant().toString());
        clock.advance(Duration.ofMinutes(11));
        s.warning(rev, "BackOff", "replica r2 exited");
        assertThat(events()).as("past the series window: a new event").hasSize(3);
    }

    @Test
    void retentionDropsEventsUnseenForAnHourAndTheOldestBeyondTheCap() {
        EventRecorder.Source s = new EventRecorder(registry, clock, Runnable::run).source("tide-autoscaler");
        s.normal(rev, "ScaledUp", "old");
        clock.advance(Duration.ofMinutes(61));
        s.normal(rev, "ScaledUp", "new");
        assertThat(events()).extracting(e -> e.path("message").asText()).containsExactly("new");
        for (int i = 0; i < EventRecorder.MAX_EVENTS + 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            s.normal(rev, "ScaledUp", "n" + i);
        }
        assertThat(events()).hasSize(EventRecorder.MAX_EVENTS);
        assertThat(events()).extracting(e -> e.path("message").asText()).doesNotContain("new", "n0", "n4").contains("n5");
    }

    @Test
    void aNewRecorderOverTheSameStoreKeepsCountingAndNamesNeverCollide() {
        new EventRecorder(registry, clock, Runnable::run).source("tide-runtime").normal(rev, "Started", "replica r1 started");
        EventRecorder after = new EventRecorder(registry, clock, Runnable::run); // a restarted Tide, same second
        after.source("tide-runtime").normal(rev, "Started", "replica r1 started");
        after.source("tide-autoscaler").normal(rev, "ScaledUp", "Scaled from 0 to 1");
        assertThat(events()).hasSize(2);
        assertThat(events()).extracting(e -> e.path("count").asInt()).containsExactlyInAnyOrder(2, 1);
    }

    @Test
    void aRecorderWithoutARegistryRecordsNothing() {
        EventRecorder.NONE.source("x").warning(rev, "Failed", "nothing");
        assertThat(events()).isEmpty();
    }
}
