package dev.tide.controlplane.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.api.Manifests;
import dev.tide.runtime.ProbeSpec;
import dev.tide.runtime.ReplicaSpec;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** From a Revision to what runs locally. */
class ReplicaSpecsTest {

    private static JsonNode revision(String containers) {
        return Manifests.parse("""
                apiVersion: serving.knative.dev/v1
                kind: Revision
                metadata:
                  name: hello-00001
                  namespace: default
                  labels:
                    serving.knative.dev/configuration: hello
                    serving.knative.dev/service: hello
                spec:
                  timeoutSeconds: 6
                  containers:
                """ + containers.indent(4), "test").get(0);
    }

    private static ReplicaSpecs.Result from(JsonNode rev) {
        JsonNode secret = Json.parseObject("{\"data\":{\"token\":\"czNjcjN0\"}}");
        return ReplicaSpecs.from(rev, name -> name.equals("creds") ? Optional.of(secret) : Optional.empty(), name -> Optional.empty());
    }

    @Test
    void commandEnvSecretsProbesAndTimeouts() {
        ReplicaSpecs.Result r = from(revision("""
                - image: example.com/app
                  command: ["python3", "-m", "http.server"]
                  args: ["$(PORT)"]
                  env:
                    - name: MODE
                      value: fast
                    - name: TOKEN
                      valueFrom:
                        secretKeyRef:
                          name: creds
                          key: token
                  ports:
                    - containerPort: 8080
                  readinessProbe:
                    httpGet:
                      port: 8080
                      path: /health
                  livenessProbe:
                    tcpSocket:
                      port: 8080
                """));
        ReplicaSpec spec = ((ReplicaSpecs.Runnable) r).spec();
        assertThat(spec.command()).containsExactly("python3", "-m", "http.server");
        assertThat(spec.args()).containsExactly("$(PORT)");
        assertThat(spec.env()).isEqualTo(Map.of("MODE", "fast", "TOKEN", "s3cr3t"));
        assertThat(spec.service()).isEqualTo("hello");
        assertThat(spec.readiness().handler()).as("the container port is the replica's $PORT").isEqualTo(new ProbeSpec.HttpGet("/health", 0));
        assertThat(spec.readiness().period()).as("no period: aggressive").isZero();
        assertThat(spec.liveness().handler()).isEqualTo(new ProbeSpec.TcpSocket(0));
        assertThat(spec.liveness().period()).isEqualTo(Duration.ofSeconds(10));
        assertThat(spec.drainTimeout()).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void whatCannotRunSaysWhy() {
        assertThat(from(revision("- image: example.com/app\n"))).isEqualTo(new ReplicaSpecs.NotRunnable("CommandMissing",
                "locally runnable containers need a command (image \"example.com/app\" alone cannot run as a local process; "
                        + "Tide's Kubernetes runtime runs images)"));
        ReplicaSpecs.Result missingSecret = from(revision("""
                - command: ["app"]
                  env:
                    - name: TOKEN
                      valueFrom:
                        secretKeyRef:
                          name: other
                          key: token
                """));
        assertThat(missingSecret).isEqualTo(new ReplicaSpecs.NotRunnable("SecretMissing", "env TOKEN: Secret \"other\" not found"));
        assertThat(from(revision("- command: [\"a\"]\n  ports: [{containerPort: 1}]\n- command: [\"b\"]\n")))
                .isInstanceOf(ReplicaSpecs.NotRunnable.class);
    }
}
