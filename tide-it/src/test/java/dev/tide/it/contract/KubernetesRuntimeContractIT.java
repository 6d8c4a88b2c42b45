package dev.tide.it.contract;

import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.kubernetes.KubernetesRuntime;
import dev.tide.runtime.kubernetes.MockCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.Random;

/**
 * The contract against Tide's Kubernetes runtime, on fabric8's mock API server in CRUD mode with the test kubelet
 * ({@link MockCluster}):
 * the server is the image's (the test kubelet runs Python's for it, at the pod's own loopback address).
 */
class KubernetesRuntimeContractIT extends ReplicaRuntimeContract {

    private MockCluster cluster;
    private KubernetesClient tideClient;

    @Override
    ReplicaRuntime runtime(ReplicaRuntime.DrainGate gate) {
        // The kubelet on fabric8's OkHttp client, as in KubernetesIT.
        cluster = new MockCluster(config -> new KubernetesClientBuilder()
                .withHttpClientFactory(new io.fabric8.kubernetes.client.okhttp.OkHttpClientFactory()).withConfig(config).build(),
                MockCluster::httpServer);
        tideClient = new KubernetesClientBuilder().withConfig(cluster.config()).build();
        return new KubernetesRuntime(tideClient, scheduler, blocking, gate, new KubernetesRuntime.Settings(null, "contract"), new Random(3));
    }

    @Override
    ReplicaSpec httpServer(String revision) {
        return spec(revision, List.of(), "tide.test/http-server:1");
    }

    @Override
    void close() {
        tideClient.close();
        cluster.close();
    }
}
