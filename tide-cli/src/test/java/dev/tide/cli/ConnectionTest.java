package dev.tide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tide.cli.security.Kubeconfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the CLI picks its server, token and namespace from a kubeconfig. */
class ConnectionTest {

    @TempDir
    Path tmp;

    private Path kubeconfig(String namespace) throws Exception {
        Path f = tmp.resolve("kubeconfig");
        Files.writeString(f, new Kubeconfig(URI.create("http://127.0.0.1:8081"), "admin-secret", null, namespace).toYaml());
        return f;
    }

    @Test
    void theKubeconfigGivesServerTokenAndNamespace() throws Exception {
        Connection c = Connection.resolve(null, kubeconfig("team"), null, null);
        assertThat(c.server()).isEqualTo(URI.create("http://127.0.0.1:8081"));
        assertThat(c.token()).isEqualTo("admin-secret");
        assertThat(c.namespace()).isEqualTo("team");
        assertThat(Connection.resolve(URI.create("http://localhost:8081"), kubeconfig("team"), null, null).token())
                .as("the same server by another loopback name").isEqualTo("admin-secret");
    }

    @Test
    void aKubeconfigsTokenGoesOnlyToItsServer() throws Exception {
        Connection other = Connection.resolve(URI.create("http://127.0.0.1:9999"), kubeconfig("team"), null, null);
        assertThat(other.server()).isEqualTo(URI.create("http://127.0.0.1:9999"));
        assertThat(other.token()).isNull();
        assertThat(other.namespace()).isNull();
        assertThat(Connection.resolve(URI.create("http://127.0.0.1:9999"), kubeconfig("team"), "given", null).token()).isEqualTo("given");
    }

    @Test
    void theEnvironmentsKubeconfigIsReadWhenNoneIsGiven() throws Exception {
        assertThat(Connection.resolve(null, null, null, kubeconfig(null).toString()).token()).isEqualTo("admin-secret");
        assertThatThrownBy(() -> Connection.resolve(null, tmp.resolve("absent"), null, null)).hasMessageContaining("not found");
    }

    @Test
    void insecureSkipTlsVerifyIsRefusedNotIgnored() throws Exception {
        Path f = tmp.resolve("insecure");
        Files.writeString(f, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """);
        assertThatThrownBy(() -> Kubeconfig.read(f)).hasMessageContaining("insecure-skip-tls-verify is not supported");
    }
}
