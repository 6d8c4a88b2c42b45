package dev.tide.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A stand-in for the kubelets of a cluster, against fabric8's mock API server in CRUD mode (no kube-apiserver can run
 * here): it binds each pending Pod to a Node whose labels match its nodeSelector and whose allocatable CPU (when the
 * node gives one) still holds the pod's CPU request, or marks it unschedulable in the scheduler's words; it gives a
 * bound pod its own loopback address
 * (127.0.0.2, 127.0.0.3, ...: the whole of 127/8 is loopback on Linux), runs its container as a local process
 * listening there on its container port, marks it Running, and Ready once the port accepts connections; a deleted Pod's
 * process is stopped. So Tide's real client, watches, and routing to pod IPs are exercised; scheduling, images and
 * the kubelet's own probes are not.
 */
public final class TestKubelet implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TestKubelet.class.getName());

    private final KubernetesClient client;
    /** What a container runs, given it and the pod's IP: its command and args, or a program standing for its image. */
    private final BiFunction<Container, String, List<String>> program;
    private final SharedIndexInformer<Pod> informer;
    private final SharedIndexInformer<Node> nodes;
    private final boolean reportsReady;
    /** Guarded by this: CPU requested on each node, and each bound pod's node. */
    private final Map<String, Long> usedMillis = new java.util.HashMap<>();
    private final Map<String, String> placedOn = new java.util.HashMap<>();
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    /**
     * Pod addresses for the whole test JVM, never handed out twice: a pod's process stopped by one test may still hold
     * its address and port while the next test's pod starts.
     */
    private static final AtomicInteger NEXT_IP = new AtomicInteger(2);
    private final ExecutorService work = Executors.newCachedThreadPool();

    public TestKubelet(KubernetesClient client, BiFunction<Container, String, List<String>> program) {
        this(client, program, true);
    }

    /** @param reportsReady whether it marks a pod Ready once its port accepts (a slow kubelet's probe period never comes) */
    public TestKubelet(KubernetesClient client, BiFunction<Container, String, List<String>> program, boolean reportsReady) {
        this.client = client;
        this.program = program;
        this.reportsReady = reportsReady;
        this.nodes = client.nodes().inform();
        this.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                if (pod.getSpec().getNodeName() == null) {
                    work.execute(() -> run(pod));
                }
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                synchronized (TestKubelet.this) {
                    String node = placedOn.remove(key(pod));
                    if (node != null) {
                        usedMillis.merge(node, -requestMillis(pod), Long::sum);
                    }
                }
                Process p = processes.remove(key(pod));
                if (p != null) {
                    p.descendants().forEach(ProcessHandle::destroy);
                    p.destroy();
                }
            }
        }, 0);
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private void run(Pod pod) {
        Node node;
        synchronized (this) {
            node = schedule(pod);
            if (node != null) {
                usedMillis.merge(node.getMetadata().getName(), requestMillis(pod), Long::sum);
                placedOn.put(key(pod), node.getMetadata().getName());
            }
        }
        if (node == null) {
            int nodes = this.nodes.getStore().list().size();
            pod.setStatus(new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder().withType("PodScheduled")
                    .withStatus("False").withReason("Unschedulable").withMessage("0/" + nodes + " nodes are available: " + nodes
                            + " Insufficient cpu or node(s) didn't match Pod's node selector.").build()).build());
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
            return; // stays Pending, as with no node that fits
        }
        String ip = nextIp();
        Container c = pod.getSpec().getContainers().get(0);
        int port = c.getPorts().isEmpty() ? 8080 : c.getPorts().get(0).getContainerPort();
        String now = Instant.now().toString();
        pod.getSpec().setNodeName(node.getMetadata().getName());
        Pod bound = client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).update();
        bound.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP(ip).withHostIP(ip).withStartTime(now)
                .withContainerStatuses(new ContainerStatusBuilder().withName(c.getName()).withReady(false).withRestartCount(0)
                        .withImage(c.getImage()).withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build())
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus("False").build()).build());
        Pod running = client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(bound).updateStatus();
        ProcessBuilder pb = new ProcessBuilder(program.apply(c, ip)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        for (EnvVar e : c.getEnv()) {
            pb.environment().put(e.getName(), e.getValue());
        }
        try {
            processes.put(key(pod), pb.start());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot run " + key(pod) + ": " + e.getMessage());
            return;
        }
        Process p = processes.get(key(pod));
        if (!reportsReady) {
            return;
        }
        try {
            // The kubelet's readiness probe, every 20 ms: a TCP connect to the container port while the process lives.
            while (p.isAlive() && processes.containsKey(key(pod)) && !accepts(ip, port)) {
                p.waitFor(20, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (processes.containsKey(key(pod))) {
            running.getStatus().getConditions().get(0).setStatus("True");
            running.getStatus().getContainerStatuses().get(0).setReady(true);
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(running).updateStatus();
        }
    }

    /**
     * The first Node whose labels hold every pair of the pod's nodeSelector and that has room for its CPU request,
     * from the nodes the kubelets watch. Caller holds this.
     */
    private Node schedule(Pod pod) {
        Map<String, String> selector = pod.getSpec().getNodeSelector() == null ? Map.of() : pod.getSpec().getNodeSelector();
        List<Node> all = new ArrayList<>(nodes.getStore().list());
        all.sort(java.util.Comparator.comparing(n -> n.getMetadata().getName()));
        for (Node n : all) {
            Map<String, String> labels = n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
            var allocatable = n.getStatus() == null || n.getStatus().getAllocatable() == null ? null : n.getStatus().getAllocatable().get("cpu");
            long room = allocatable == null ? Long.MAX_VALUE
                    : allocatable.getNumericalAmount().movePointRight(3).longValue() - usedMillis.getOrDefault(n.getMetadata().getName(), 0L);
            if (labels.entrySet().containsAll(selector.entrySet()) && requestMillis(pod) <= room) {
                return n;
            }
        }
        return null;
    }

    private static long requestMillis(Pod pod) {
        var r = pod.getSpec().getContainers().get(0).getResources();
        var cpu = r == null || r.getRequests() == null ? null : r.getRequests().get("cpu");
        return cpu == null ? 0 : cpu.getNumericalAmount().movePointRight(3).longValue();
    }

    private static boolean accepts(String ip, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** 127.0.0.2, 127.0.0.3, ..., 127.0.1.1, ...: within 127/8, skipping each .0 and .255. */
    private static String nextIp() {
        for (;;) {
            int n = NEXT_IP.getAndIncrement();
            if ((n & 0xFF) != 0 && (n & 0xFF) != 0xFF) {
                return "127." + (n >>> 16 & 0xFF) + "." + (n >>> 8 & 0xFF) + "." + (n & 0xFF);
            }
        }
    }

    /** The pods it runs now. */
    public List<String> running() {
        return new ArrayList<>(processes.keySet());
    }

    @Override
    public void close() {
        informer.close();
        nodes.close();
        processes.values().forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        for (Process p : processes.values()) {
            try {
                p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS); // gone, its address and port free, before the next test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        work.shutdownNow();
    }
}
