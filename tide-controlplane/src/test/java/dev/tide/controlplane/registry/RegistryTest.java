package dev.tide.controlplane.registry;

import static dev.tide.testing.Fixtures.service;
import static dev.tide.testing.Fixtures.withImage;
import static dev.tide.testing.Fixtures.withLabel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.store.DefaultStore;
import dev.tide.store.Journal;
import dev.tide.testing.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The object lifecycle Kubernetes gives custom resources. */
class RegistryTest {

    private final ManualClock clock = new ManualClock();
    private final DefaultStore store = new DefaultStore(Journal.none());
    private final Registry registry = new Registry(store, clock, new ClusterConfigSource(store, "example.com"), () -> "uid-1");

    @Test
    void createSetsServerMetadata() {
        ObjectNode svc = registry.create(ResourceTypes.SERVICE, "default", service("default", "hello")).object();
        assertThat(Meta.uid(svc)).isEqualTo("uid-1");
        assertThat(svc.at("/metadata/creationTimestamp").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(Meta.generation(svc)).isEqualTo(1);
        assertThat(Meta.resourceVersion(svc)).isEqualTo("1");
    }

    @Test
    void aDryRunAdmitsAndAnswersButStoresNothing() {
        Registry.Options dryRun = new Registry.Options(dev.tide.api.FieldValidation.STRICT, true);
        Registry.Written would = registry.create(ResourceTypes.SERVICE, "default", service("default", "hello"), dryRun);
        assertThat(Meta.uid(would.object())).isEqualTo("uid-1");
        assertThat(would.object().at("/spec/template/spec/timeoutSeconds").asInt()).as("defaulted").isEqualTo(300);
        assertThat(registry.get(ResourceTypes.SERVICE, "default", "hello")).isEmpty();
        ObjectNode stored = registry.create(ResourceTypes.SERVICE, "default", service("default", "hello")).object();
        assertThatThrownBy(() -> registry.create(ResourceTypes.SERVICE, "default", service("default", "hello"), dryRun))
                .hasMessage("services.serving.knative.dev \"hello\" already exists");
        Registry.Written changed = registry.update(ResourceTypes.SERVICE, "default", "hello",
                service("default", "hello", withImage("x:2")), null, dryRun);
        assertThat(Meta.generation(changed.object())).isEqualTo(2);
        assertThat(Meta.resourceVersion(changed.object())).isEqualTo(Meta.resourceVersion(stored));
        assertThat(registry.get(ResourceTypes.SERVICE, "default", "hello").orElseThrow()).isEqualTo(stored);
        assertThatThrownBy(() -> registry.update(ResourceTypes.SERVICE, "default", "hello", service("default", "hello"), "999", dryRun))
                .isInstanceOf(ApiException.class).hasMessageContaining("the object has been modified");
        assertThatThrownBy(() -> registry.create(ResourceTypes.SERVICE, "default",
                service("default", "Bad_Name"), dryRun)).as("admission still runs").isInstanceOf(ApiException.class);
    }

    @Test
    void generationMovesOnlyWithTheSpec() {
        registry.create(ResourceTypes.SERVICE, "default", service("default", "hello"));
        ObjectNode relabelled = registry.update(ResourceTypes.SERVICE, "default", "hello",
                service("default", "hello", withLabel("a", "b")), null).object();
        assertThat(Meta.generation(relabelled)).isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        ObjectNode changed = registry.update(ResourceTypes.SERVICE, "default", "hello",
                service("default", "hello", withImage("x:2")), null).object();
        assertThat(Meta.generation(changed)).isEqualTo(2);
        assertThat(changed.at("/metadata/creationTimestamp").asText()).as("kept from create").isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void numbersCompareByValueSoARestartIsNoSpecChange() {
        // As the journal reads it back after a restart: 300 is an int node.
        ObjectNode stored = service("default", "hello");
        ((ObjectNode) stored.at("/spec/template/spec")).put("timeoutSeconds", 300);
        registry.create(ResourceTypes.SERVICE, "default", stored);
        // As a reconciler or a default builds it in Java: the same 300 as a long node, which Jackson's equals tells apart.
        ObjectNode rebuilt = service("default", "hello");
        ((ObjectNode) rebuilt.at("/spec/template/spec")).put("timeoutSeconds", 300L);
        assertThat(Meta.generation(registry.update(ResourceTypes.SERVICE, "default", "hello", rebuilt, null).object())).isEqualTo(1);
        ObjectNode longer = service("default", "hello");
        ((ObjectNode) longer.at("/spec/template/spec")).put("timeoutSeconds", 301L);
        assertThat(Meta.generation(registry.update(ResourceTypes.SERVICE, "default", "hello", longer, null).object())).isEqualTo(2);
    }

    @Test
    void usersCannotWriteStatusThroughTheMainResource() {
        ObjectNode svc = registry.create(ResourceTypes.SERVICE, "default", service("default", "hello")).object();
        svc.putObject("status").put("url", "http://controller-set");
        registry.updateStatus(ResourceTypes.SERVICE, svc);
        ObjectNode forged = service("default", "hello");
        forged.putObject("status").put("url", "http://forged");
        ObjectNode stored = registry.update(ResourceTypes.SERVICE, "default", "hello", forged, null).object();
        assertThat(stored.at("/status/url").asText()).isEqualTo("http://controller-set");
    }

    @Test
    void staleWriteIsAConflict() {
        ObjectNode v1 = registry.create(ResourceTypes.SERVICE, "default", service("default", "hello")).object();
        registry.update(ResourceTypes.SERVICE, "default", "hello", service("default", "hello", withImage("x:2")), Meta.resourceVersion(v1));
        assertThatThrownBy(() -> registry.update(ResourceTypes.SERVICE, "default", "hello",
                service("default", "hello", withImage("x:3")), Meta.resourceVersion(v1)))
                .isInstanceOf(ApiException.class).hasMessageContaining("the object has been modified")
                .extracting(e -> ((ApiException) e).code()).isEqualTo(409);
    }

    @Test
    void revisionsAreImmutable() {
        ObjectNode rev = service("default", "r").deepCopy();
        rev.put("apiVersion", "serving.knative.dev/v1").put("kind", "Revision");
        rev.set("spec", rev.at("/spec/template/spec"));
        registry.create(ResourceTypes.REVISION, "default", rev.deepCopy());
        ((ObjectNode) rev.at("/spec/containers/0")).put("image", "other");
        assertThatThrownBy(() -> registry.update(ResourceTypes.REVISION, "default", "r", rev, null))
                .isInstanceOf(ApiException.class).hasMessageContaining("Immutable");
    }

    @Test
    void requestsMustMatchTheirUrl() {
        assertThatThrownBy(() -> registry.create(ResourceTypes.SERVICE, "other", service("default", "hello")))
                .hasMessageContaining("does not match the namespace");
        assertThatThrownBy(() -> registry.create(ResourceTypes.ROUTE, "default", service("default", "hello")))
                .hasMessageContaining("but the URL is for serving.knative.dev/v1 Route");
        ObjectNode withRv = service("default", "hello");
        Meta.metadata(withRv).put("resourceVersion", "7");
        assertThatThrownBy(() -> registry.create(ResourceTypes.SERVICE, "default", withRv))
                .hasMessageContaining("resourceVersion should not be set");
    }

    @Test
    void invalidObjectsAreRefusedWithEveryError() {
        ObjectNode bad = service("default", "hello");
        ((ObjectNode) bad.at("/spec/template/spec")).put("containerConcurrency", 5000).put("timeoutSeconds", 9999);
        assertThatThrownBy(() -> registry.create(ResourceTypes.SERVICE, "default", bad))
                .isInstanceOf(ApiException.class)
                .hasMessage("validation failed: expected 0 <= 5000 <= 1000: spec.template.spec.containerConcurrency\n"
                        + "expected 0 <= 9999 <= 600: spec.template.spec.timeoutSeconds");
        assertThat(store.resourceVersion()).isZero();
    }
}
