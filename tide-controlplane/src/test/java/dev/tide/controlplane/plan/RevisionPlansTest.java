package dev.tide.controlplane.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.api.config.ClusterConfig;
import dev.tide.api.config.DefaultsConfig;
import dev.tide.autoscaler.AutoscalerSpec;
import dev.tide.controlplane.serving.ModelServing;
import dev.tide.controlplane.serving.ReplicaSpecs;
import dev.tide.controlplane.serving.ReplicaUsers;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Given a Revision, its routing and the cluster settings: the one plan the serving path acts on. */
class RevisionPlansTest {

    private static final ClusterConfig CLUSTER = ClusterConfig.defaults("example.com");
    private static final RevisionPlans.Lookups NOTHING = new RevisionPlans.Lookups(n -> Optional.empty(), n -> Optional.empty(),
            n -> Optional.empty());

    private static JsonNode revision(String annotations, String spec, String container) throws Exception {
        return Json.MAPPER.readTree("""
                {"apiVersion": "serving.knative.dev/v1", "kind": "Revision",
                 "metadata": {"name": "hello-00001", "namespace": "ns", "uid": "u1",
                   "labels": {"serving.knative.dev/service": "hello", "serving.knative.dev/configuration": "hello"},
                   "annotations": {%s}},
                 "spec": {%s "containers": [{"image": "x", "command": ["srv"] %s}]}}""".formatted(annotations, spec, container));
    }

    private static RevisionPlan plan(JsonNode rev, boolean routed, ClusterConfig cluster) {
        return RevisionPlans.plan(rev, routed, cluster, NOTHING, ModelServing.none(), ReplicaUsers.AS_TIDE);
    }

    record Case(String name, String annotations, String spec, String container, boolean routed, int cc, Duration timeout, boolean h2c,
                boolean hpa) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("defaults", "", "", "", true, 0, Duration.ofSeconds(300), false, false),
                new Case("its own timeout and limit", "", "\"timeoutSeconds\": 42, \"containerConcurrency\": 4,", "", false, 4,
                        Duration.ofSeconds(42), false, false),
                new Case("timeout 0 is the default", "", "\"timeoutSeconds\": 0,", "", true, 0, Duration.ofSeconds(300), false, false),
                new Case("an h2c port", "", "", ", \"ports\": [{\"name\": \"h2c\", \"containerPort\": 8080}]", true, 0,
                        Duration.ofSeconds(300), true, false),
                new Case("the HPA class", "\"autoscaling.knative.dev/class\": \"hpa.autoscaling.knative.dev\"", "",
                        ", \"resources\": {\"requests\": {\"cpu\": \"250m\"}}", true, 0, Duration.ofSeconds(300), false, true));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void planOf(Case c) throws Exception {
        RevisionPlan p = plan(revision(c.annotations(), c.spec(), c.container()), c.routed(), CLUSTER);
        assertThat(p.namespace()).isEqualTo("ns");
        assertThat(p.name()).isEqualTo("hello-00001");
        assertThat(p.service()).isEqualTo("hello");
        assertThat(p.configuration()).isEqualTo("hello");
        assertThat(p.ref().uid()).isEqualTo("u1");
        assertThat(p.ref().kind()).isEqualTo("Revision");
        assertThat(p.routed()).isEqualTo(c.routed());
        assertThat(p.scaling().decider().reachable()).as("the autoscaler's reachability is the routing").isEqualTo(c.routed());
        assertThat(p.containerConcurrency()).isEqualTo(c.cc());
        assertThat(p.timeout()).isEqualTo(c.timeout());
        assertThat(p.h2c()).isEqualTo(c.h2c());
        assertThat(p.scaling().hpa() != null).isEqualTo(c.hpa());
        if (c.hpa()) {
            assertThat(p.scaling().hpa().request()).isEqualTo(0.25);
        }
        ReplicaSpecs.Runnable r = (ReplicaSpecs.Runnable) p.replica();
        assertThat(r.spec().drainTimeout()).as("one timeout rule for requests and draining").isEqualTo(c.timeout());
    }

    @Test
    void theSameInputsMakeAnEqualPlanSoStatusWritesPushNothing() throws Exception {
        JsonNode rev = revision("", "", "");
        assertThat(plan(rev, true, CLUSTER)).isEqualTo(plan(revision("", "", ""), true, CLUSTER));
        assertThat(plan(rev, true, CLUSTER)).isNotEqualTo(plan(rev, false, CLUSTER));
    }

    @Test
    void aMissingSecretIsNotRunnable() throws Exception {
        JsonNode rev = revision("", "", ", \"env\": [{\"name\": \"K\", \"valueFrom\": {\"secretKeyRef\": {\"name\": \"s\", \"key\": \"k\"}}}]");
        assertThat(plan(rev, true, CLUSTER).replica()).isEqualTo(new ReplicaSpecs.NotRunnable("SecretMissing", "env K: Secret \"s\" not found"));
    }

    @Test
    void theTimeoutFollowsTheClusterDefaultsAndTheirMaximum() throws Exception {
        DefaultsConfig defaults = new DefaultsConfig(120, 600, 0, 1000, "user-container");
        assertThat(RevisionPlans.timeout(revision("", "", ""), defaults)).isEqualTo(Duration.ofSeconds(120));
        // Admitted under a maximum of 1200; the maximum is 600 now.
        assertThat(RevisionPlans.timeout(revision("", "\"timeoutSeconds\": 900,", ""), defaults)).isEqualTo(Duration.ofSeconds(600));
    }

    @Test
    void initialScaleComesFromTheAnnotations() throws Exception {
        AutoscalerSpec s = plan(revision("\"autoscaling.knative.dev/initial-scale\": \"3\"", "", ""), true, CLUSTER).scaling();
        assertThat(s.policy().initialScale()).isEqualTo(3);
    }
}
