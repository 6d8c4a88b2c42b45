package dev.tide.controlplane.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.resources.ResourceRequests;
import dev.tide.autoscaler.AutoscalerSpec;
import dev.tide.autoscaler.simulation.Simulation;
import dev.tide.controlplane.plan.RevisionPlanner;
import dev.tide.controlplane.plan.ScalingSpecs;
import dev.tide.controlplane.reconciler.TestWorld;
import dev.tide.controlplane.serving.ModelServing;
import dev.tide.controlplane.serving.ReplicaUsers;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.testing.Fixtures;
import dev.tide.testing.ManualClock;
import dev.tide.testing.ManualScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server's scaling loop and {@code tide simulate} are one behaviour: the same service and the same load, run
 * through {@link ScalingDriver} (with a runtime whose replicas are ready at once) and through {@link Simulation},
 * ask for the same replica count at every decision.
 */
class ScalingDriverTest {

    private static final long SECOND = 1_000_000_000L;

    /** A fake runtime: a started replica is ready at once, a stopped one gone at once. */
    private static final class InstantRuntime implements ReplicaRuntime {
        final List<Replica> replicas = new CopyOnWriteArrayList<>();
        int started;

        @Override
        public Replica start(ReplicaSpec spec) {
            Replica r = new Replica("r" + started++, spec.namespace(), spec.revision(), 8000 + started, Replica.State.READY, 1, 0, List.of());
            replicas.add(r);
            return r;
        }

        @Override
        public void stop(String replicaId) {
            replicas.removeIf(r -> r.id().equals(replicaId));
        }

        @Override
        public List<Replica> replicas() {
            return List.copyOf(replicas);
        }

        @Override
        public void addListener(Listener listener) {
        }

        @Override
        public Output output(String replicaId, long fromLine) {
            return new Output(List.of(), fromLine);
        }

        @Override
        public void shutdown(Duration timeout) {
        }
    }

    record Case(String name, Map<String, String> annotations, double[] load) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        double[] burst = new double[400];
        for (int t = 0; t < burst.length; t++) {
            burst[t] = t < 40 ? 2 : t < 100 ? 60 : t < 130 ? 300 : t < 250 ? 5 : 0;
        }
        double[] ramp = new double[300];
        for (int t = 0; t < ramp.length; t++) {
            ramp[t] = t < 200 ? t * 1.5 : 0;
        }
        return Stream.of(
                new Case("KPA, target 10, a burst then idle", Map.of("autoscaling.knative.dev/min-scale", "1",
                        "autoscaling.knative.dev/target", "10", "autoscaling.knative.dev/window", "30s"), burst),
                new Case("KPA with scale-down delay and max-scale", Map.of("autoscaling.knative.dev/min-scale", "1",
                        "autoscaling.knative.dev/target", "20", "autoscaling.knative.dev/scale-down-delay", "20s",
                        "autoscaling.knative.dev/max-scale", "8"), ramp),
                new Case("KPA on rps", Map.of("autoscaling.knative.dev/min-scale", "1", "autoscaling.knative.dev/metric", "rps",
                        "autoscaling.knative.dev/target", "15"), burst));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void theServerDecidesAsTheSimulation(Case c) {
        TestWorld world = new TestWorld();
        ObjectNode svc = Fixtures.service("default", "svc");
        c.annotations().forEach((k, v) -> Fixtures.withTemplateAnnotation(k, v).accept(svc));
        ((ObjectNode) svc.path("spec").path("template").path("spec").path("containers").get(0)).putArray("command").add("/bin/true");
        world.create(ResourceTypes.SERVICE, svc);
        world.ready.add("svc-00001"); // so its Route sends it traffic: reachable, as the simulation assumes
        world.converge();
        ObjectNode rev = world.get(ResourceTypes.REVISION, "svc-00001");

        boolean rps = "rps".equals(c.annotations().get("autoscaling.knative.dev/metric"));
        ManualScheduler scheduler = new ManualScheduler();
        ManualClock clock = new ManualClock(Instant.ofEpochSecond(Simulation.ORIGIN_EPOCH_SECOND));
        InstantRuntime runtime = new InstantRuntime();
        int[] second = {0};
        ScalingDriver.RevisionLoad load = (ns, name, now) -> {
            double l = second[0] < c.load().length ? c.load()[second[0]] : 0;
            return rps ? new double[] {0, l} : new double[] {l, 0};
        };
        ScalingDriver driver = new ScalingDriver(runtime, load, scheduler, clock, (ns, r) -> { }, new SimpleMeterRegistry(),
                ScalingDriver.ForecastStore.NONE, dev.tide.controlplane.events.EventRecorder.NONE.source("test"));
        // The planner pushes the revision's plan, as in the server; the driver applies it before its first tick.
        new RevisionPlanner(world.registry, ModelServing.none(), ReplicaUsers.AS_TIDE, driver).planAll();
        driver.start();
        List<Integer> server = new ArrayList<>();
        for (int t = 0; t < c.load().length; t++) {
            if (t > 0) {
                clock.advance(Duration.ofSeconds(1));
            }
            second[0] = t;
            scheduler.advance(Duration.ofNanos(t == 0 ? 0 : SECOND)); // the tick due at t: records second t, decides if even
            if (t % 2 == 0) {
                server.add(runtime.replicas().size());
            }
        }
        driver.close();

        AutoscalerSpec spec = ScalingSpecs.resolve(Meta.strings(rev.path("metadata").get("annotations")), 0, ResourceRequests.NONE,
                world.registry.config().current(), true);
        List<Integer> simulated = new ArrayList<>();
        for (Simulation.Row r : Simulation.trace(new Simulation.Setup(spec, 0, Duration.ZERO), c.load())) {
            simulated.add(r.want() < 0 ? spec.policy().initialScale() : r.want());
        }
        assertThat(server).as("replicas after each decision, server vs simulation").isEqualTo(simulated);
        assertThat(server.stream().distinct().count()).as("the trace makes it scale").isGreaterThan(2);
    }
}
