package dev.tide.controlplane.reconciler;

import static dev.tide.testing.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.reconciler.service.ServiceResources;
import dev.tide.controlplane.registry.ApiException;
import dev.tide.controlplane.registry.ClusterConfigSource;
import dev.tide.controlplane.registry.Registry;
import dev.tide.store.DefaultStore;
import dev.tide.store.Journal;
import dev.tide.store.Listing;
import dev.tide.store.ObjectKey;
import dev.tide.store.Store;
import dev.tide.store.Watch;
import dev.tide.testing.ManualClock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** {@link Children#ensure} while another reconciler writes the child's status between its read and its write. */
class ChildrenTest {

    private final DefaultStore store = new DefaultStore(Journal.none());
    /** Set by a test: run once, right after the next read of the Route, as the Route's own reconciler would. */
    private Runnable afterNextRouteRead;
    private final AtomicInteger uids = new AtomicInteger();
    private final ManualClock clock = new ManualClock();
    private final Registry registry = new Registry(new RacingStore(), clock, new ClusterConfigSource(store, "example.com"),
            () -> "uid-" + uids.incrementAndGet());

    private ObjectNode serviceWithRoute() {
        ObjectNode svc = registry.create(ResourceTypes.SERVICE, "default", service("default", "hello")).object();
        Children.ensure(registry, ResourceTypes.ROUTE, ServiceResources.route(svc), svc);
        return svc;
    }

    private void writeRouteStatusBehindTheReader() {
        afterNextRouteRead = () -> {
            ObjectNode route = registry.get(ResourceTypes.ROUTE, "default", "hello").orElseThrow();
            route.putObject("status").put("observedGeneration", 1);
            registry.updateStatus(ResourceTypes.ROUTE, route);
        };
    }

    @Test
    void aChildThatMatchesIsNotWrittenSoItsStatusMovingOnIsNoConflict() {
        ObjectNode svc = serviceWithRoute();
        writeRouteStatusBehindTheReader();
        ObjectNode seen = Children.ensure(registry, ResourceTypes.ROUTE, ServiceResources.route(svc), svc);
        String stored = Meta.resourceVersion(registry.get(ResourceTypes.ROUTE, "default", "hello").orElseThrow());
        assertThat(Meta.resourceVersion(seen)).as("the copy read, not a write").isNotEqualTo(stored);
    }

    @Test
    void aChildThatDiffersIsWrittenAgainstTheVersionRead() {
        ObjectNode svc = serviceWithRoute();
        svc.with("spec").putArray("traffic").addObject().put("latestRevision", true).put("percent", 100).put("tag", "new");
        writeRouteStatusBehindTheReader();
        assertThatThrownBy(() -> Children.ensure(registry, ResourceTypes.ROUTE, ServiceResources.route(svc), svc))
                .isInstanceOf(ApiException.class).hasMessageContaining("the object has been modified");
        ObjectNode written = Children.ensure(registry, ResourceTypes.ROUTE, ServiceResources.route(svc), svc);
        assertThat(written.at("/spec/traffic/0/tag").asText()).isEqualTo("new");
    }

    /** The store, with a hook after a read of the Route. */
    private final class RacingStore implements Store {
        @Override
        public Optional<ObjectNode> get(ObjectKey key) {
            Optional<ObjectNode> read = store.get(key);
            Runnable race = afterNextRouteRead;
            if (race != null && key.resource().equals(ResourceTypes.ROUTE.groupResource())) {
                afterNextRouteRead = null;
                race.run();
            }
            return read;
        }

        @Override
        public Listing list(String resource, String namespace) {
            return store.list(resource, namespace);
        }

        @Override
        public Listing list(String resource, String namespace, Predicate<? super ObjectNode> filter) {
            return store.list(resource, namespace, filter);
        }

        @Override
        public ObjectNode create(ObjectKey key, ObjectNode object) {
            return store.create(key, object);
        }

        @Override
        public ObjectNode update(ObjectKey key, ObjectNode object, String expectedResourceVersion) {
            return store.update(key, object, expectedResourceVersion);
        }

        @Override
        public ObjectNode delete(ObjectKey key) {
            return store.delete(key);
        }

        @Override
        public Watch watch(String resource, String namespace, long fromResourceVersion, Predicate<ObjectKey> filter) {
            return store.watch(resource, namespace, fromResourceVersion, filter);
        }

        @Override
        public long resourceVersion() {
            return store.resourceVersion();
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
