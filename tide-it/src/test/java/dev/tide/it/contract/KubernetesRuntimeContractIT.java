package dev.tide.it.contract;

import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.kubernetes.KubernetesRuntime;
import dev.tide.runtime.kubernetes.TestKubelet;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Random;

/**
 * The contract against Tide's Kubernetes runtime, on fabric8's mock API server in CRUD mode with {@link TestKubelet}:
 * the server is the image's (the test kubelet runs Python's for it, at the pod's own loopback address).
 */
class KubernetesRuntimeContractIT extends ReplicaRuntimeContract {

    private KubernetesMockServer cluster;
    private KubernetesClient kubeletClient;
    private KubernetesClient tideClient;
    private TestKubelet kubelet;

    @Override
    ReplicaRuntime runtime(ReplicaRuntime.DrainGate gate) {
        cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        cluster.init(InetAddress.getLoopbackAddress(), 0);
        KubernetesClient admin = cluster.createClient();
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().build()).create();
        // The kubelet on fabric8's OkHttp client, as in KubernetesIT.
        kubeletClient = new KubernetesClientBuilder().withHttpClientFactory(new io.fabric8.kubernetes.client.okhttp.OkHttpClientFactory())
                .withConfig(admin.getConfiguration()).build();
        kubelet = new TestKubelet(kubeletClient, (c, ip) -> List.of("python3", "-m", "http.server", "--bind", ip,
                Integer.toString(c.getPorts().get(0).getContainerPort())));
        tideClient = new KubernetesClientBuilder().withConfig(admin.getConfiguration()).build();
        admin.close();
        return new KubernetesRuntime(tideClient, scheduler, blocking, gate, new KubernetesRuntime.Settings(null, "contract"), new Random(3));
    }

    @Override
    ReplicaSpec httpServer(String revision) {
        return spec(revision, List.of(), "tide.test/http-server:1");
    }

    @Override
    void close() {
        kubelet.close();
        kubeletClient.close();
        tideClient.close();
        cluster.destroy();
    }
}
