package dev.tide.controlplane.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.reconciler.TestWorld;
import dev.tide.controlplane.serving.ModelServing;
import dev.tide.controlplane.serving.ReplicaSpecs;
import dev.tide.controlplane.serving.ReplicaUsers;
import dev.tide.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Plans are pushed when an input changes, and only then. The planner is driven by hand: {@code planAll} per step. */
class RevisionPlannerTest {

    private final TestWorld world = new TestWorld();
    private final List<String> heard = new ArrayList<>();
    private final List<RevisionPlan> plans = new ArrayList<>();
    private final RevisionPlanner planner = new RevisionPlanner(world.registry, ModelServing.none(), ReplicaUsers.AS_TIDE,
            new RevisionPlanner.Listener() {
                @Override
                public void planned(RevisionPlan plan) {
                    heard.add("planned " + plan.name() + (plan.routed() ? " routed" : "")
                            + (plan.replica() instanceof ReplicaSpecs.NotRunnable n ? " " + n.reason() : ""));
                    plans.add(plan);
                }

                @Override
                public void removed(String namespace, String revision) {
                    heard.add("removed " + revision);
                }
            });

    private ObjectNode service(String secret) {
        ObjectNode svc = Fixtures.service("default", "svc");
        ObjectNode c = (ObjectNode) svc.path("spec").path("template").path("spec").path("containers").get(0);
        c.putArray("command").add("/bin/true");
        if (secret != null) {
            ObjectNode env = c.putArray("env").addObject().put("name", "K");
            env.putObject("valueFrom").putObject("secretKeyRef").put("name", secret).put("key", "k");
        }
        return svc;
    }

    @Test
    void aRevisionIsPlannedOnceThenAgainOnlyWhenAnInputChanges() {
        world.create(ResourceTypes.SERVICE, service("creds"));
        world.converge();
        planner.planAll();
        assertThat(heard).containsExactly("planned svc-00001 SecretMissing");

        // Status writes and repeated passes change no input: nothing is pushed.
        world.converge();
        planner.planAll();
        assertThat(heard).hasSize(1);

        // The Secret appears: the same revision is now runnable.
        ObjectNode secret = Json.object();
        secret.put("apiVersion", "v1").put("kind", "Secret");
        secret.putObject("metadata").put("name", "creds").put("namespace", "default");
        secret.putObject("data").put("k", "dg==");
        world.create(ResourceTypes.SECRET, secret);
        planner.planAll();
        assertThat(heard).last().isEqualTo("planned svc-00001");

        // Ready, the Route sends it traffic: routed.
        world.ready.add("svc-00001");
        world.converge();
        planner.planAll();
        assertThat(heard).last().isEqualTo("planned svc-00001 routed");
        assertThat(plans.getLast().scaling().decider().reachable()).isTrue();

        world.delete(ResourceTypes.SERVICE, "svc");
        planner.planAll();
        assertThat(heard).last().isEqualTo("removed svc-00001");
    }
}
