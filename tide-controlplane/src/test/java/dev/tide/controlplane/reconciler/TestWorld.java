package dev.tide.controlplane.reconciler;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.reconciler.configuration.ConfigurationReconciler;
import dev.tide.controlplane.reconciler.inferenceservice.InferenceServiceReconciler;
import dev.tide.controlplane.reconciler.revision.RevisionReconciler;
import dev.tide.controlplane.reconciler.revision.RevisionRuntime;
import dev.tide.controlplane.reconciler.route.RouteReconciler;
import dev.tide.controlplane.reconciler.service.ServiceReconciler;
import dev.tide.controlplane.registry.ClusterConfigSource;
import dev.tide.controlplane.registry.Registry;
import dev.tide.store.DefaultStore;
import dev.tide.store.Journal;
import dev.tide.store.Watch;
import dev.tide.store.WatchEvent;
import java.time.Duration;
import dev.tide.testing.ManualClock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory control plane for reconciler tests: a store, a registry and every reconciler, driven by hand to a
 * fixpoint (no threads, no sleeps). Revisions named in {@link #ready} are reported Ready by the fake runtime.
 */
public final class TestWorld {

    public final ManualClock clock = new ManualClock();
    public final DefaultStore store = new DefaultStore(Journal.none());
    private final AtomicInteger uids = new AtomicInteger();
    public final Registry registry = new Registry(store, clock, new ClusterConfigSource(store, "example.com"),
            () -> "uid-" + uids.incrementAndGet());
    public final Set<String> ready = new HashSet<>();
    private final RevisionRuntime runtime = rev -> ready.contains(Meta.name(rev))
            ? new RevisionRuntime.State(Conditions.TRUE, null, null, 1, 1)
            : RevisionRuntime.none().state(rev);
    private final List<Reconciler> reconcilers = List.of(
            new InferenceServiceReconciler(registry, clock),
            new ServiceReconciler(registry, clock),
            new ConfigurationReconciler(registry, clock),
            new RevisionReconciler(registry, clock, runtime),
            new RouteReconciler(registry, clock, dev.tide.controlplane.reconciler.route.Ingress.immediate()));
    private final GarbageCollector collector = new GarbageCollector(registry);

    /** Reconciles everything until nothing changes any more. */
    public void converge() {
        for (int pass = 0; pass < 50; pass++) {
            long before = store.resourceVersion();
            for (Reconciler r : reconcilers) {
                for (ObjectNode o : registry.list(r.type(), null).items()) {
                    r.reconcile(Meta.namespace(o), Meta.name(o));
                }
            }
            if (store.resourceVersion() == before) {
                return;
            }
        }
        fail("reconcilers did not converge in 50 passes");
    }

    public ObjectNode create(ResourceType type, ObjectNode obj) {
        return registry.create(type, Meta.namespace(obj), obj).object();
    }

    public ObjectNode get(ResourceType type, String name) {
        return registry.get(type, "default", name).orElseThrow(() -> new AssertionError(type.kind() + " " + name + " not found"));
    }

    public List<String> names(ResourceType type) {
        return registry.list(type, null).items().stream().map(Meta::name).toList();
    }

    /** Deletes an object and follows the DELETED events as the controller does, so deletions cascade. */
    public void delete(ResourceType type, String name) {
        long from = store.resourceVersion();
        registry.delete(type, "default", name);
        Set<Long> handled = new HashSet<>();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (ResourceType t : ResourceTypes.ALL) {
                try (Watch w = store.watch(t.groupResource(), null, from, k -> true)) {
                    for (WatchEvent e = poll(w); e != null; e = poll(w)) {
                        if (e.type() == WatchEvent.Type.DELETED && handled.add(e.resourceVersion())) {
                            collector.deleted(t, e.object());
                            progress = true;
                        }
                    }
                }
            }
        }
    }

    private static WatchEvent poll(Watch w) {
        try {
            return w.poll(Duration.ZERO);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
