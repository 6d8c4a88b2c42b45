package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.it.fixtures.FixtureServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Knative's own CLI, {@code kn} (built by {@code ./tide test} from tide-it/src/test/go/kn), against Tide with the
 * kubeconfig Tide writes: {@code service create|list|describe|update|delete}, {@code revision list}, {@code route
 * list|describe}, waiting for Ready as kn does.
 */
class KnIT {

    @RegisterExtension
    static final TideServerExtension TIDE = new TideServerExtension();

    private final Kubectl kubectl = TIDE.kubectl();

    private static String binary() {
        Path kn = Exec.repo().resolve("target/tools/kn");
        if (!Files.isExecutable(kn)) {
            throw new AssertionError("no kn at " + kn + ": run the tests with ./tide test, which builds Knative's kn CLI "
                    + "from tide-it/src/test/go/kn (Go >= 1.26)");
        }
        return kn.toString();
    }

    private Exec.Result kn(String... args) {
        List<String> cmd = new ArrayList<>(List.of(binary(), "--kubeconfig", TIDE.dataDir().resolve("kubeconfig").toString(),
                "--config", TIDE.dir().resolve("kn-config.yaml").toString()));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, null, 120);
    }

    private String ok(String... args) {
        Exec.Result r = kn(args);
        assertThat(r.rc()).as("kn %s\n%s", String.join(" ", args), r).isZero();
        return r.out();
    }

    @Test
    void knCreatesListsDescribesUpdatesSplitsAndDeletesAService() {
        List<String> create = new ArrayList<>(List.of("service", "create", "echo", "-n", "kn", "--image", "example.com/fixture"));
        List<String> command = FixtureServer.command();
        create.addAll(List.of("--cmd", command.getFirst()));
        command.subList(1, command.size()).forEach(a -> create.add("--arg=" + a));
        String created = ok(create.toArray(String[]::new));
        assertThat(created).contains("Ready to serve.").contains("is available at URL:").contains("http://echo.kn.example.com");

        assertThat(ok("service", "list", "-n", "kn")).containsPattern("echo +http://echo.kn.example.com +echo-00001 .* True");
        assertThat(ok("service", "describe", "echo", "-n", "kn")).contains("100%  @latest (echo-00001)")
                .contains("Image:     example.com/fixture").containsPattern("\\+\\+ Ready");

        assertThat(ok("service", "update", "echo", "-n", "kn", "--env", "GREETING=hi")).contains("echo-00002");
        assertThat(kubectl.ok("get", "rev", "echo-00002", "-n", "kn", "-o", "jsonpath={.spec.containers[0].env[0].value}"))
                .isEqualTo("hi");
        ok("service", "update", "echo", "-n", "kn", "--traffic", "echo-00001=50", "--traffic", "echo-00002=50");
        String route = ok("route", "describe", "echo", "-n", "kn");
        assertThat(route).contains("50%  echo-00001").contains("50%  echo-00002");
        assertThat(ok("revision", "list", "-n", "kn")).containsPattern("echo-00002 +echo +50%").containsPattern("echo-00001 +echo +50%");
        assertThat(ok("route", "list", "-n", "kn")).containsPattern("echo +http://echo.kn.example.com +True");

        assertThat(ok("service", "delete", "echo", "-n", "kn")).contains("Service 'echo' successfully deleted in namespace 'kn'.");
        assertThat(kubectl.run("get", "ksvc", "echo", "-n", "kn").rc()).isNotZero();
    }
}
