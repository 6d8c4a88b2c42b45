package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tide.it.fixtures.FixtureServer;
import dev.tide.runtime.kubernetes.MockCluster;
import dev.tide.runtime.kubernetes.TestKubelet;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole Tide with {@code --kubeconfig}: an image-only Knative Service runs as Pods on the cluster, and a Service with
 * a command still runs here. The cluster is fabric8's mock API server in CRUD mode (no kube-apiserver can run on these
 * machines) with {@link TestKubelet} running each pod's container as a local process at its own loopback address; so
 * Tide's real client and watches, and its gateway's routing to pod IPs, are exercised, a real cluster's scheduler and
 * kubelets are not.
 */
class KubernetesIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** An image that answers each request after 50 ms, on many threads, over keep-alive connections. */
    private static final String SLEEPY = """
            import http.server, sys, time
            class H(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def do_GET(self):
                    time.sleep(0.05)
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                def log_message(self, *args):
                    pass
            http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
            """;

    @TempDir
    Path tmp;

    private MockCluster cluster;
    private KubernetesClient client;
    private TestKubelet kubelet;
    private List<String> flags;
    private TideProcess tide;
    private Kubectl kubectl;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        // The images stand for web servers: Python's, on the pod's IP and its container port. The kubelet is on
        // fabric8's OkHttp client: on the JDK's, its writes from this JVM got no answer from the mock server (which had
        // logged sending one) once Tide's process watched it too.
        cluster = new MockCluster(config -> new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withHttpClientFactory(new io.fabric8.kubernetes.client.okhttp.OkHttpClientFactory()).withConfig(config).build(),
                (c, ip) -> c.getImage().contains("sleepy")
                        ? List.of("python3", "-c", SLEEPY, ip, Integer.toString(c.getPorts().get(0).getContainerPort()))
                        : MockCluster.httpServer(c, ip));
        client = cluster.admin();
        kubelet = cluster.kubelet();
        Path kubeconfig = tmp.resolve("cluster.kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: mock
                    cluster: {server: "%s"}
                contexts:
                  - name: mock
                    context: {cluster: mock, user: tester}
                current-context: mock
                users:
                  - name: tester
                    user: {}
                """.formatted(cluster.url()));
        flags = List.of("--replica-user", "root", "--kubeconfig", kubeconfig.toString());
        tide = TideProcess.start(Files.createDirectories(tmp.resolve("data")), flags, Map.of());
        kubectl = new Kubectl(tide.url(), Files.createDirectories(tmp.resolve("kube-cache")));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (tide != null) {
            tide.close();
        }
        cluster.close();
    }

    /** A Knative Service of namespace {@code shop}; {@code template} is the YAML under {@code spec.template}. */
    private static String service(String name, String template) {
        return """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: %s
                  namespace: shop
                spec:
                  template:
                %s""".formatted(name, template.indent(4));
    }

    private List<Pod> pods(String service) {
        return client.pods().inNamespace("shop").withLabel("serving.knative.dev/service", service).list().getItems();
    }

    private HttpResponse<String> get(String host) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(tide.ingress() + "/")).header("Host", host).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anImageOnlyServiceRunsAsPodsReachedAtTheirIpsAndAServiceWithACommandStaysLocal() throws Exception {
        kubectl.apply(service("web", """
                spec:
                  containers:
                    - image: ghcr.io/acme/web:1
                      resources:
                        limits: {cpu: 500m, memory: 256Mi}
                """));
        kubectl.ok("wait", "--for=condition=Ready", "ksvc/web", "-n", "shop", "--timeout=60s");
        List<Pod> pods = pods("web");
        assertThat(pods).hasSize(1);
        Pod pod = pods.get(0);
        assertThat(pod.getMetadata().getName()).startsWith("web-00001-deployment-");
        assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("ghcr.io/acme/web:1");
        assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits().get("memory").toString()).as("as written").isEqualTo("256Mi");
        String podIp = pod.getStatus().getPodIP();
        assertThat(podIp).as("a loopback address of its own").startsWith("127.").isNotEqualTo("127.0.0.1");

        HttpResponse<String> r = get("web.shop.example.com");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).as("Python's directory listing, from the pod").contains("Directory listing for /");
        // Tide's own pods API shows the cluster's pod, under its name and at its IP.
        assertThat(kubectl.ok("get", "pods", "-n", "shop", "-l", "serving.knative.dev/service=web", "-o",
                "jsonpath={.items[*].metadata.name} {.items[*].status.podIP}")).isEqualTo(pod.getMetadata().getName() + " " + podIp);
        assertThat(kubectl.ok("get", "rev", "web-00001", "-n", "shop", "-o",
                "jsonpath={.status.conditions[?(@.type==\"ResourceLimitsEnforced\")].message}")).isEqualTo("enforced by the kubelet: the replica is a pod");

        // A Service with a command is Tide's own process, as before: no pod for it.
        kubectl.apply(FixtureServer.knativeService("local", "shop", "", ""));
        kubectl.ok("wait", "--for=condition=Ready", "ksvc/local", "-n", "shop", "--timeout=60s");
        assertThat(get("local.shop.example.com").body()).startsWith("revision=local-00001");
        assertThat(pods("local")).isEmpty();

        kubectl.ok("delete", "ksvc", "web", "-n", "shop");
        await().atMost(WAIT).until(() -> pods("web").isEmpty());
        await().atMost(WAIT).until(() -> kubelet.running().isEmpty());
    }

    @Test
    void seed004FiveInFlightAtTargetOneEndsWithFivePodsAndNoErrorsThenBackToZero() {
        kubectl.apply(service("flowers", """
                metadata:
                  annotations:
                    autoscaling.knative.dev/target: "1"
                    autoscaling.knative.dev/target-utilization-percentage: "100"
                    autoscaling.knative.dev/window: "6s"
                spec:
                  containers:
                    - image: tide.test/sleepy:1
                """));
        kubectl.ok("wait", "--for=condition=Ready", "ksvc/flowers", "-n", "shop", "--timeout=60s");
        Exec.Result hey = Exec.run(List.of("hey", "-z", "20s", "-c", "5", "-host", "flowers.shop.example.com", tide.ingress() + "/"),
                null, 120);
        assertThat(hey.rc()).as("%s", hey).isZero();
        assertThat(hey.out()).as(hey.out()).contains("[200]").doesNotContainPattern("\\[(?!200)\\d{3}]\\s+\\d+ responses")
                .doesNotContain("Error distribution");
        assertThat(pods("flowers")).as("five pods, each ready at its own address").hasSize(5)
                .allMatch(p -> p.getStatus() != null && p.getStatus().getPodIP() != null)
                .extracting(p -> p.getStatus().getPodIP()).doesNotHaveDuplicates();
        java.util.regex.Matcher ok = java.util.regex.Pattern.compile("\\[200]\\s+(\\d+) responses").matcher(hey.out());
        assertThat(ok.find()).isTrue();
        long idleFrom = System.nanoTime();
        // Idle: the KPA scales to zero, and the pods are deleted.
        await().atMost(Duration.ofSeconds(120)).until(() -> pods("flowers").isEmpty());
        System.out.printf("seed 004 on pods: %s responses in 20 s, all 200, 5 pods; all pods gone %d ms after the load ended%n",
                ok.group(1), (System.nanoTime() - idleFrom) / 1_000_000);
    }

    @Test
    void aRestartedTideAdoptsItsPodsAndServesThroughThemWithoutStartingOthers() throws Exception {
        kubectl.apply(service("steady", """
                spec:
                  containers:
                    - image: ghcr.io/acme/web:1
                """));
        kubectl.ok("wait", "--for=condition=Ready", "ksvc/steady", "-n", "shop", "--timeout=60s");
        String pod = pods("steady").get(0).getMetadata().getName();

        tide.close();
        assertThat(pods("steady")).as("Tide's shutdown leaves its pods to the cluster").extracting(p -> p.getMetadata().getName())
                .containsExactly(pod);
        tide = TideProcess.start(tmp.resolve("data"), flags, Map.of());
        kubectl = new Kubectl(tide.url(), Files.createDirectories(tmp.resolve("kube-cache-2")));
        await().atMost(WAIT).untilAsserted(() -> assertThat(get("steady.shop.example.com").statusCode()).isEqualTo(200));
        assertThat(tide.output()).anyMatch(l -> l.contains("adopted pod shop/" + pod + " of revision steady-00001"));
        assertThat(pods("steady")).as("the adopted pod serves; no other was started").extracting(p -> p.getMetadata().getName())
                .containsExactly(pod);
        kubectl.ok("delete", "ksvc", "steady", "-n", "shop");
        await().atMost(WAIT).until(() -> pods("steady").isEmpty());
    }

    @Test
    void aNodeSelectorAndTolerationsAsACKWritesThemForElasticNodesPlaceThePodThere() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("eci-1").addToLabels("type", "virtual-kubelet")
                .endMetadata().build()).create();
        String applied = kubectl.apply(service("burst", """
                metadata:
                  annotations:
                    k8s.aliyun.com/eci-use-specs: ecs.c6.large
                spec:
                  nodeSelector: {type: virtual-kubelet}
                  tolerations: [{key: virtual-kubelet.io/provider, operator: Exists}]
                  containers:
                    - image: ghcr.io/acme/web:1
                """));
        kubectl.ok("wait", "--for=condition=Ready", "ksvc/burst", "-n", "shop", "--timeout=60s");
        Pod pod = pods("burst").get(0);
        assertThat(pod.getSpec().getNodeName()).isEqualTo("eci-1");
        assertThat(pod.getSpec().getTolerations()).extracting(t -> t.getKey()).containsExactly("virtual-kubelet.io/provider");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("k8s.aliyun.com/eci-use-specs", "ecs.c6.large");
        assertThat(applied).as("the pod carries it: no 'not acted on' warning").doesNotContain("Warning");
        assertThat(kubectl.ok("get", "rev", "burst-00001", "-n", "shop", "-o", "jsonpath={.status.conditions[*].type}"))
                .doesNotContain("UnsupportedAnnotations");
    }

    @Test
    void aPodNoNodeHasRoomForIsARevisionConditionAndAnEvent() {
        client.nodes().withName("node-1").edit(n -> {
            n.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
                    .addToAllocatable("cpu", new io.fabric8.kubernetes.api.model.Quantity("1")).build());
            return n;
        });
        kubectl.apply(service("huge", """
                spec:
                  containers:
                    - image: ghcr.io/acme/web:1
                      resources:
                        requests: {cpu: "2"}
                """));
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "rev", "huge-00001", "-n", "shop", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")]['status','reason']}")).isEqualTo("False Unschedulable"));
        assertThat(kubectl.ok("get", "rev", "huge-00001", "-n", "shop", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}"))
                .contains(": Unschedulable: 0/1 nodes are available: 1 Insufficient cpu");
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "events", "-n", "shop", "--field-selector",
                "reason=FailedScheduling,involvedObject.kind=Revision", "-o", "jsonpath={.items[0].message}"))
                .startsWith("replica huge-00001-deployment-").contains("cannot be placed; last output: pod huge-00001-deployment-"));
    }

    @Test
    void whatTheKubernetesRuntimeDoesNotPassToPodsIsRefusedByName() {
        kubectl.apply(service("picky", """
                spec:
                  serviceAccountName: reader
                  containers:
                    - image: ghcr.io/acme/web:1
                """));
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "rev", "picky-00001", "-n", "shop", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}")).isEqualTo("PodFieldsUnsupported"));
        assertThat(kubectl.ok("get", "rev", "picky-00001", "-n", "shop", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}"))
                .contains("serviceAccountName");
        assertThat(pods("picky")).isEmpty();
    }
}
