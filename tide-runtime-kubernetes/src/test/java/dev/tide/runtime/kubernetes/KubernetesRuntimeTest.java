package dev.tide.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tide.common.time.ExecutorScheduler;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.Resources;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes runtime against fabric8's mock API server in CRUD mode with {@link TestKubelet} running each pod's
 * container as a local process at its own loopback address: pods made, labelled and watched, replicas ready at their
 * pod IP and answering there, stopped replicas' pods deleted after their drain.
 */
class KubernetesRuntimeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private MockCluster cluster;
    private KubernetesClient client;
    private KubernetesClient tideClient;
    private TestKubelet kubelet;
    private ScheduledExecutorService timers;
    private ExecutorService blocking;
    private KubernetesRuntime runtime;
    private final List<Replica> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        // An image-only container runs Python's HTTP server standing for the image, on the pod's IP and container port.
        cluster = new MockCluster(config -> new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build(),
                MockCluster::httpServer);
        client = cluster.admin();
        kubelet = cluster.kubelet();
        timers = Executors.newSingleThreadScheduledExecutor();
        blocking = Executors.newVirtualThreadPerTaskExecutor();
        // Tide's own client, as a Tide process has one of its own.
        tideClient = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
        runtime = new KubernetesRuntime(tideClient, new ExecutorScheduler(timers), blocking, ReplicaRuntime.DrainGate.immediate(),
                new KubernetesRuntime.Settings(null, "test"), new Random(7));
        runtime.addListener(seen::add);
    }

    @AfterEach
    void tearDown() {
        runtime.shutdown(Duration.ofSeconds(10));
        tideClient.close();
        cluster.close();
        timers.shutdownNow();
        blocking.shutdownNow();
    }

    private static ReplicaSpec spec(int port) {
        return new ReplicaSpec("shop", "hello", "hello", "hello-00001", List.of(), List.of(), Map.of("GREETING", "hi"), null,
                ProbeSpec.defaultReadiness(), null, Duration.ofSeconds(5), Duration.ofSeconds(2), null, false,
                new Resources(256L << 20, 500, 250), List.of(), "ghcr.io/acme/hello:1", port,
                new dev.tide.runtime.PodFields(Map.of(), null, null, Map.of(),
                        "{\"limits\":{\"cpu\":\"500m\",\"memory\":\"256Mi\"},\"requests\":{\"cpu\":\"250m\"}}", null));
    }

    @Test
    void aReplicaIsAPodReadyAtItsIpAndGoneWhenStopped() throws Exception {
        Replica r = runtime.start(spec(0));
        assertThat(r.id()).matches("hello-00001-deployment-[a-z0-9]{5}-[a-z0-9]{5}");
        assertThat(r.state()).isEqualTo(Replica.State.STARTING);

        await().atMost(WAIT).until(() -> current(r.id()).state() == Replica.State.READY);
        Replica ready = current(r.id());
        assertThat(ready.host()).as("a loopback address of its own").startsWith("127.").isNotEqualTo("127.0.0.1");
        assertThat(ready.port()).as("Knative's default container port").isEqualTo(8080);
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + ready.host() + ":" + ready.port() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);

        Pod pod = client.pods().inNamespace("shop").withName(r.id()).get();
        assertThat(pod.getMetadata().getLabels()).containsEntry("serving.knative.dev/service", "hello")
                .containsEntry("serving.knative.dev/revision", "hello-00001").containsEntry("tide.dev/instance", "test")
                .containsEntry("app.kubernetes.io/managed-by", "tide");
        var c = pod.getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("ghcr.io/acme/hello:1");
        assertThat(c.getCommand()).as("the image's entrypoint runs").isEmpty();
        assertThat(c.getEnv()).extracting(e -> e.getName() + "=" + e.getValue())
                .contains("PORT=8080", "K_SERVICE=hello", "K_REVISION=hello-00001", "GREETING=hi");
        assertThat(c.getResources().getLimits().get("cpu").toString()).isEqualTo("500m");
        assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("250m");
        assertThat(pod.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(2);

        runtime.stop(r.id());
        await().atMost(WAIT).until(() -> runtime.replicas().isEmpty());
        assertThat(client.pods().inNamespace("shop").withName(r.id()).get()).isNull();
        assertThat(seen).extracting(Replica::state).containsSubsequence(Replica.State.STARTING, Replica.State.READY,
                Replica.State.DRAINING, Replica.State.STOPPED);
        await().atMost(WAIT).until(() -> kubelet.running().isEmpty());
    }

    @Test
    void replicasOfOneRevisionAreSeparatePodsAtTheirOwnAddresses() {
        Replica a = runtime.start(spec(9000));
        Replica b = runtime.start(spec(9000));
        assertThat(a.id()).isNotEqualTo(b.id());
        await().atMost(WAIT).until(() -> runtime.replicas().stream().filter(x -> x.state() == Replica.State.READY).count() == 2);
        assertThat(runtime.replicas()).extracting(Replica::port).containsOnly(9000);
        assertThat(runtime.replicas()).extracting(Replica::host).doesNotHaveDuplicates();
    }

    @Test
    void aRestartedTideAdoptsThePodsItMadeInsteadOfStartingOthers() {
        Replica r = runtime.start(spec(0));
        await().atMost(WAIT).until(() -> current(r.id()).state() == Replica.State.READY);
        String host = current(r.id()).host();
        // The same instance label from a new client and runtime, as a Tide restarted on the same data directory.
        try (KubernetesClient again = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(client.getConfiguration())
                .build()) {
            KubernetesRuntime restarted = new KubernetesRuntime(again, new ExecutorScheduler(timers), blocking,
                    ReplicaRuntime.DrainGate.immediate(), new KubernetesRuntime.Settings(null, "test"), new Random(8));
            await().atMost(WAIT).until(() -> restarted.replicas().stream().anyMatch(x -> x.id().equals(r.id())
                    && x.state() == Replica.State.READY));
            Replica adopted = restarted.replicas().get(0);
            assertThat(adopted.namespace()).isEqualTo("shop");
            assertThat(adopted.revision()).isEqualTo("hello-00001");
            assertThat(adopted.host()).isEqualTo(host);
            assertThat(adopted.port()).isEqualTo(8080);
            restarted.stop(r.id());
            await().atMost(WAIT).until(() -> restarted.replicas().isEmpty());
            assertThat(client.pods().inNamespace("shop").withName(r.id()).get()).isNull();
            restarted.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void tidesOwnProbeMakesAReplicaReadyBeforeTheKubeletSaysSo() throws Exception {
        // A second kubelet that runs pods but never reports them Ready; the first is stopped first so that it binds none.
        kubelet.close();
        try (TestKubelet slow = new TestKubelet(client, MockCluster::httpServer, false)) {
            Replica r = runtime.start(spec(0));
            await().atMost(WAIT).until(() -> current(r.id()).state() == Replica.State.READY);
            Pod pod = client.pods().inNamespace("shop").withName(r.id()).get();
            assertThat(pod.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready")).extracting(c -> c.getStatus())
                    .containsExactly("False");
            runtime.stop(r.id());
            await().atMost(WAIT).until(() -> runtime.replicas().isEmpty());
        }
    }

    @Test
    void aPodNoNodeHasRoomForIsPendingWithTheSchedulersWords() {
        client.nodes().withName("node-1").edit(n -> {
            n.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder().addToAllocatable("cpu",
                    new io.fabric8.kubernetes.api.model.Quantity("1")).build());
            return n;
        });
        // 250m each (spec's request): four fit on the node's one CPU, the fifth is not placed.
        List<Replica> five = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(runtime.start(spec(0)));
        }
        await().atMost(WAIT).until(() -> runtime.replicas().stream().filter(x -> x.state() == Replica.State.READY).count() == 4
                && runtime.replicas().stream().filter(x -> x.state() == Replica.State.PENDING).count() == 1);
        Replica pending = runtime.replicas().stream().filter(x -> x.state() == Replica.State.PENDING).findFirst().orElseThrow();
        assertThat(pending.lastOutput()).singleElement().asString().startsWith("pod " + pending.id() + ": Unschedulable: 0/1 nodes are available");
        assertThat(pending.host()).isEmpty();
    }

    private Replica current(String id) {
        return runtime.replicas().stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
    }
}
