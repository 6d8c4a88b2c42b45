package dev.tide.controlplane.pods;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.registry.ClusterConfigSource;
import dev.tide.controlplane.registry.Registry;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.store.DefaultStore;
import dev.tide.store.Journal;
import dev.tide.store.StoreException;
import dev.tide.store.Watch;
import dev.tide.store.WatchEvent;
import dev.tide.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PodViewTest {

    private final ManualClock clock = new ManualClock();
    private final DefaultStore store = new DefaultStore(Journal.none());
    private final Registry registry = new Registry(store, clock, new ClusterConfigSource(store, "example.com"), () -> "rev-uid-1");
    private final FakeRuntime runtime = new FakeRuntime();
    private final PodView pods = new PodView(registry, clock, "node-a");

    @BeforeEach
    void revision() {
        ObjectNode rev = Json.parseObject("""
                {"apiVersion": "serving.knative.dev/v1", "kind": "Revision",
                 "metadata": {"name": "hello-00001", "namespace": "default",
                   "labels": {"serving.knative.dev/service": "hello", "serving.knative.dev/configuration": "hello",
                              "serving.kserve.io/inferenceservice": "hello", "component": "predictor"}},
                 "spec": {"timeoutSeconds": 30, "containers": [{"image": "example.com/hello", "command": ["python3"]}]}}""");
        registry.create(ResourceTypes.REVISION, "default", rev);
        pods.attach(runtime);
    }

    private static Replica replica(String id, Replica.State state, int restarts, Replica.Termination last, long outputFrom) {
        return new Replica(id, "default", "hello-00001", 40001, state, 4242, restarts, List.of(), last, outputFrom);
    }

    private ObjectNode only() {
        List<ObjectNode> items = pods.list("default").items();
        assertThat(items).hasSize(1);
        return items.getFirst();
    }

    @Test
    void aReplicaIsAPodNamedAndLabelledAsKnativesDeploymentMakesThem() {
        pods.changed(replica("hello-00001-1", Replica.State.STARTING, 0, null, 0));
        ObjectNode pod = only();
        assertThat(Meta.name(pod)).matches("hello-00001-deployment-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}");
        assertThat(Meta.labels(pod)).containsEntry("serving.knative.dev/service", "hello")
                .containsEntry("serving.knative.dev/revision", "hello-00001").containsEntry("serving.knative.dev/revisionUID", "rev-uid-1")
                .containsEntry("serving.kserve.io/inferenceservice", "hello").containsEntry("component", "predictor");
        assertThat(pod.path("metadata").path("ownerReferences").path(0).path("kind").asText()).isEqualTo("Revision");
        assertThat(pod.path("spec").path("nodeName").asText()).isEqualTo("node-a");
        assertThat(pod.path("spec").path("containers").path(0).path("name").asText()).isEqualTo("user-container");
        assertThat(pod.path("spec").path("containers").path(0).path("ports").path(0).path("containerPort").asInt()).isEqualTo(40001);
        assertThat(pod.path("status").path("phase").asText()).isEqualTo("Running");
        JsonNode cs = pod.path("status").path("containerStatuses").path(0);
        assertThat(cs.path("ready").asBoolean()).isFalse();
        assertThat(cs.path("state").has("running")).isTrue();
        assertThat(cs.path("containerID").asText()).isEqualTo("process://4242");

        pods.changed(replica("hello-00001-1", Replica.State.READY, 0, null, 0));
        cs = only().path("status").path("containerStatuses").path(0);
        assertThat(cs.path("ready").asBoolean()).isTrue();
        assertThat(Meta.name(only())).as("the same pod").isEqualTo(Meta.name(pod));
        assertThat(pods.get("default", Meta.name(pod))).isPresent();
        assertThat(pods.get("other", Meta.name(pod))).isEmpty();
    }

    @Test
    void aCrashIsCrashLoopBackOffWithTheLastTerminationAndItsTimes() {
        pods.changed(replica("r-1", Replica.State.READY, 0, null, 0));
        clock.advance(Duration.ofSeconds(20));
        Replica.Termination oom = new Replica.Termination(137, Replica.Termination.OOM_KILLED, "resident memory 70.0 MiB reached 64.0 MiB");
        pods.changed(replica("r-1", Replica.State.CRASHED, 1, oom, 0));
        JsonNode cs = only().path("status").path("containerStatuses").path(0);
        assertThat(cs.path("state").path("waiting").path("reason").asText()).isEqualTo("CrashLoopBackOff");
        assertThat(cs.path("lastState").path("terminated").path("reason").asText()).isEqualTo("OOMKilled");
        assertThat(cs.path("lastState").path("terminated").path("exitCode").asInt()).isEqualTo(137);
        assertThat(cs.path("lastState").path("terminated").path("finishedAt").asText()).isEqualTo(clock.instant().toString());
        assertThat(cs.path("restartCount").asInt()).isEqualTo(1);
        assertThat(cs.path("ready").asBoolean()).isFalse();
        String started = cs.path("lastState").path("terminated").path("startedAt").asText();
        clock.advance(Duration.ofSeconds(1));
        pods.changed(replica("r-1", Replica.State.STARTING, 1, oom, 7));
        cs = only().path("status").path("containerStatuses").path(0);
        assertThat(cs.path("state").path("running").path("startedAt").asText()).isEqualTo(clock.instant().toString());
        assertThat(cs.path("lastState").path("terminated").path("startedAt").asText()).as("the previous process's start")
                .isEqualTo(started);
    }

    @Test
    void previousLogsAreThePreviousProcessesLinesAndNoneBeforeARestart() {
        pods.changed(replica("r-1", Replica.State.READY, 0, null, 0));
        String name = Meta.name(only());
        assertThatThrownBy(() -> pods.logs("default", name, true)).isInstanceOf(IllegalStateException.class)
                .hasMessage("previous terminated container \"user-container\" in pod \"" + name + "\" not found");
        assertThat(pods.logs("default", name, false)).hasValue(new PodView.Logs("r-1", 0, Long.MAX_VALUE));
        Replica.Termination err = new Replica.Termination(3, Replica.Termination.ERROR, "");
        pods.changed(replica("r-1", Replica.State.CRASHED, 1, err, 0));
        assertThat(pods.logs("default", name, true)).as("while it waits to restart: the crashed process's")
                .hasValue(new PodView.Logs("r-1", 0, Long.MAX_VALUE));
        pods.changed(replica("r-1", Replica.State.STARTING, 1, err, 5));
        assertThat(pods.logs("default", name, true)).hasValue(new PodView.Logs("r-1", 0, 5));
        assertThat(pods.logs("default", name, false)).hasValue(new PodView.Logs("r-1", 5, Long.MAX_VALUE));
    }

    @Test
    void previousOutputIsCutAtTheRestart() throws InterruptedException {
        runtime.lines.addAll(List.of("a", "b", "c", "d", "e"));
        assertThat(pods.output(new PodView.Logs("r-1", 1, 3), 0, Duration.ZERO).lines()).containsExactly("b", "c");
        assertThat(pods.output(new PodView.Logs("r-1", 3, Long.MAX_VALUE), 0, Duration.ZERO).lines()).containsExactly("d", "e");
    }

    @Test
    void aWatchReplaysFromItsVersionThenFollowsAndAnOldVersionIsGone() throws InterruptedException {
        pods.changed(replica("r-1", Replica.State.STARTING, 0, null, 0));
        long afterAdd = pods.list(null).resourceVersion();
        pods.changed(replica("r-1", Replica.State.READY, 0, null, 0));
        try (Watch w = pods.watch("default", afterAdd); Watch elsewhere = pods.watch("other", afterAdd)) {
            assertThat(w.poll(Duration.ZERO).type()).isEqualTo(WatchEvent.Type.MODIFIED);
            pods.changed(replica("r-1", Replica.State.DRAINING, 0, null, 0));
            WatchEvent draining = w.poll(Duration.ZERO);
            assertThat(draining.object().path("metadata").has("deletionTimestamp")).isTrue();
            pods.changed(replica("r-1", Replica.State.STOPPED, 0, null, 0));
            assertThat(w.poll(Duration.ZERO).type()).isEqualTo(WatchEvent.Type.DELETED);
            assertThat(Long.parseLong(Meta.resourceVersion(draining.object()))).isEqualTo(draining.resourceVersion());
            assertThat(elsewhere.poll(Duration.ZERO)).as("another namespace's watch").isNull();
        }
        assertThat(pods.list(null).items()).isEmpty();
        for (int i = 0; i < 1100; i++) {
            pods.changed(replica("r-2", i % 2 == 0 ? Replica.State.READY : Replica.State.NOT_READY, 0, null, 0));
        }
        assertThatThrownBy(() -> pods.watch(null, afterAdd)).isInstanceOf(StoreException.Gone.class);
    }

    @Test
    void deletingAPodStopsItsReplica() {
        pods.changed(replica("r-1", Replica.State.READY, 0, null, 0));
        String name = Meta.name(only());
        assertThat(pods.delete("default", name)).isPresent();
        assertThat(runtime.stopped).containsExactly("r-1");
        assertThat(pods.delete("default", "nope")).isEmpty();
        assertThat(runtime.stopped).hasSize(1);
    }

    @Test
    void namesDifferPerReplicaAndStayForTheRevision() {
        String a = PodObjects.name("hello-00001", "uid", "hello-00001-1", 0);
        String b = PodObjects.name("hello-00001", "uid", "hello-00001-2", 0);
        assertThat(a).isNotEqualTo(b);
        assertThat(a.substring(0, a.lastIndexOf('-'))).isEqualTo(b.substring(0, b.lastIndexOf('-')));
        assertThat(PodObjects.name("hello-00001", "uid", "hello-00001-1", 1)).isNotEqualTo(a);
    }

    @Test
    void aPodOnAClusterKeepsItsOwnNameAndAddress() {
        pods.changed(new Replica("hello-00001-deployment-k9l5s-zh7pv", "default", "hello-00001", "10.244.1.7", 8080,
                Replica.State.READY, -1, 0, List.of(), null, 0));
        ObjectNode pod = only();
        assertThat(pod.at("/metadata/name").asText()).isEqualTo("hello-00001-deployment-k9l5s-zh7pv");
        assertThat(pod.at("/status/podIP").asText()).isEqualTo("10.244.1.7");
    }

    /** Records stops; serves fixed output lines. */
    private static final class FakeRuntime implements ReplicaRuntime {
        final List<String> stopped = new ArrayList<>();
        final List<String> lines = new ArrayList<>();

        @Override
        public Replica start(ReplicaSpec spec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void stop(String replicaId) {
            stopped.add(replicaId);
        }

        @Override
        public List<Replica> replicas() {
            return List.of();
        }

        @Override
        public void addListener(Listener listener) {
        }

        @Override
        public Output output(String replicaId, long fromLine) {
            return new Output(lines.subList((int) Math.min(fromLine, lines.size()), lines.size()), lines.size());
        }

        @Override
        public void shutdown(Duration timeout) {
        }
    }
}
