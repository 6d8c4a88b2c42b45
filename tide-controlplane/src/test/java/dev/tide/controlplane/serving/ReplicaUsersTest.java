package dev.tide.controlplane.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.runtime.RunAs;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReplicaUsersTest {

    private static final RunAs NOBODY = new RunAs(65534, 65534, "/nonexistent");
    private static final ReplicaUsers ROOT = new ReplicaUsers(0, NOBODY, "nobody");
    private static final ReplicaUsers ROOT_KEEPS_ROOT = new ReplicaUsers(0, null, null);
    private static final ReplicaUsers USER_1000 = new ReplicaUsers(1000, null, null);

    record Case(String name, ReplicaUsers users, String podSpec, String container, boolean modelServer, RunAs want, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("root Tide, no securityContext: nobody", ROOT, "{}", "{}", false, NOBODY, "ReplicaUser"),
                new Case("root Tide, runAsUser", ROOT, "{}", "{\"securityContext\":{\"runAsUser\":1000,\"runAsGroup\":2000}}", false,
                        new RunAs(1000, 2000, null), "RunAsUser"),
                new Case("root Tide, runAsUser without a group takes the replica user's group", ROOT, "{}",
                        "{\"securityContext\":{\"runAsUser\":1000}}", false, new RunAs(1000, 65534, null), "RunAsUser"),
                new Case("the pod's securityContext", ROOT, "{\"securityContext\":{\"runAsUser\":7}}", "{}", false,
                        new RunAs(7, 65534, null), "RunAsUser"),
                new Case("the container's wins over the pod's", ROOT, "{\"securityContext\":{\"runAsUser\":7}}",
                        "{\"securityContext\":{\"runAsUser\":8}}", false, new RunAs(8, 65534, null), "RunAsUser"),
                new Case("runAsGroup alone keeps the replica user", ROOT, "{}", "{\"securityContext\":{\"runAsGroup\":5}}", false,
                        new RunAs(65534, 5, "/nonexistent"), "ReplicaUser"),
                new Case("runAsUser 0 asks for root", ROOT, "{}", "{\"securityContext\":{\"runAsUser\":0}}", false, null, "RunAsUser"),
                new Case("--replica-user root", ROOT_KEEPS_ROOT, "{}", "{}", false, null, "RunAsRoot"),
                new Case("Tide's model server stays Tide's user", ROOT, "{}", "{}", true, null, "TideModelServer"),
                new Case("unprivileged Tide", USER_1000, "{}", "{}", false, null, "TideUser"),
                new Case("unprivileged Tide, its own uid", USER_1000, "{}", "{\"securityContext\":{\"runAsUser\":1000}}", false, null, "TideUser"),
                new Case("unprivileged Tide cannot switch", USER_1000, "{}", "{\"securityContext\":{\"runAsUser\":1001}}", false, null,
                        "RunAsUserNotHonoured"));
    }

    @org.junit.jupiter.api.Test
    void theRestOfSecurityContextIsHeldOrNamed() {
        JsonNode pod = Json.parseObject("{\"securityContext\":{\"supplementalGroups\":[10,20],\"fsGroup\":5}}");
        ReplicaUsers.Decision d = ROOT.decide(pod, Json.parseObject("{\"securityContext\":{\"allowPrivilegeEscalation\":false,"
                + "\"privileged\":true,\"capabilities\":{\"drop\":[\"ALL\"]},\"readOnlyRootFilesystem\":false}}"), false);
        assertThat(d.runAs()).isEqualTo(new RunAs(65534, 65534, java.util.List.of(10L, 20L), "/nonexistent"));
        assertThat(d.noNewPrivileges()).isTrue();
        assertThat(d.status()).isEqualTo("False");
        assertThat(d.severity()).isEqualTo("Warning");
        assertThat(d.message()).isEqualTo("replicas run as nobody (uid 65534, gid 65534, groups [10, 20]), with no_new_privs: Tide runs as "
                + "root and the container names no securityContext.runAsUser; not enforced for local replicas (stored as written): "
                + "securityContext.privileged, securityContext.capabilities, spec.securityContext.fsGroup");
        assertThat(d.refusal()).isNull();
    }

    @org.junit.jupiter.api.Test
    void runAsNonRootRefusesWhatWouldRunAsRoot() {
        JsonNode none = Json.parseObject("{}");
        JsonNode nonRoot = Json.parseObject("{\"securityContext\":{\"runAsNonRoot\":true}}");
        assertThat(ROOT_KEEPS_ROOT.decide(none, nonRoot, false).refusal()).startsWith("container has runAsNonRoot and would run as root");
        assertThat(ROOT.decide(nonRoot, Json.parseObject("{\"securityContext\":{\"runAsUser\":0}}"), false).refusal())
                .as("the pod's runAsNonRoot").isNotNull();
        assertThat(ROOT.decide(none, nonRoot, false).refusal()).as("nobody is not root").isNull();
        assertThat(USER_1000.decide(none, nonRoot, false).refusal()).isNull();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decides(Case c) {
        JsonNode pod = Json.parseObject(c.podSpec());
        ReplicaUsers.Decision d = c.users().decide(pod, Json.parseObject(c.container()), c.modelServer());
        assertThat(d.runAs()).isEqualTo(c.want());
        assertThat(d.reason()).isEqualTo(c.reason());
        assertThat(d.status()).isEqualTo(c.reason().equals("RunAsUserNotHonoured") ? "False" : "True");
    }
}
