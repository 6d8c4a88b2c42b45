package dev.tide.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A cluster for tests: fabric8's mock API server in CRUD mode (no kube-apiserver can run on these machines) with one
 * node, {@code node-1} labelled {@code type: ecs}, and a {@link TestKubelet} running its pods. Named for what it is: a
 * stand-in, whose scheduler and kubelet are the test kubelet's few rules.
 */
public final class MockCluster implements AutoCloseable {

    private final KubernetesMockServer server;
    private final KubernetesClient admin;
    private final KubernetesClient kubeletClient;
    private final TestKubelet kubelet;

    /**
     * @param kubeletClient the test kubelet's client, made from the cluster's configuration
     * @param program       what a pod's container runs, given it and the pod's IP
     */
    public MockCluster(Function<Config, KubernetesClient> kubeletClient, BiFunction<Container, String, List<String>> program) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        admin = server.createClient();
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").addToLabels("type", "ecs").endMetadata().build())
                .create();
        this.kubeletClient = kubeletClient.apply(admin.getConfiguration());
        kubelet = new TestKubelet(this.kubeletClient, program);
    }

    /** Python's HTTP server standing for any image, on the pod's IP and its container port. */
    public static List<String> httpServer(Container c, String ip) {
        return List.of("python3", "-m", "http.server", "--bind", ip, Integer.toString(c.getPorts().get(0).getContainerPort()));
    }

    /** A client with the cluster's admin rights, for tests to read and arrange it. */
    public KubernetesClient admin() {
        return admin;
    }

    /** The configuration a Tide (or any other client) connects with. */
    public Config config() {
        return admin.getConfiguration();
    }

    /** The API server's URL, for a kubeconfig. */
    public String url() {
        return server.url("/").replaceAll("/$", "");
    }

    public TestKubelet kubelet() {
        return kubelet;
    }

    @Override
    public void close() {
        kubelet.close();
        kubeletClient.close();
        admin.close();
        server.destroy();
    }
}
