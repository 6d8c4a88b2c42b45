package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Volumes for local replicas, seed 000's model-storage pattern first: a {@code persistentVolumeClaim} given with
 * {@code --volume oss-data=DIR} appears at {@code /data/models} for the replica (as the default replica user, nobody),
 * with a {@code configMap} (items, defaultMode) under {@code /etc}, a {@code secret} and an {@code emptyDir}; this
 * machine's own filesystem is left as it was. A missing claim or ConfigMap is the revision's failure, named.
 */
class VolumesIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path MODELS = modelsDir();

    @RegisterExtension
    static final TideServerExtension TIDE = TideServerExtension.asShipped("--volume", "oss-data=" + MODELS);

    private final Kubectl kubectl = TIDE.kubectl();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void closeClient() {
        http.close();
    }

    private static Path modelsDir() {
        try {
            Path dir = Files.createTempDirectory("tide-volume-");
            Files.writeString(dir.resolve("model.txt"), "weights from the claim\n");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(dir.resolve("model.txt"), PosixFilePermissions.fromString("rw-r--r--"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> get(String host, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(TIDE.ingress() + path)).header("Host", host)
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitReady(String service) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(kubectl.ok("get", "ksvc", service, "-n", "vol", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status} {.status.conditions[?(@.type==\"Ready\")].message}"))
                .startsWith("True"));
    }

    @Test
    void aClaimAConfigMapASecretAndAnEmptyDirAppearAtTheirMountPaths() throws Exception {
        boolean hadData = Files.exists(Path.of("/data"));
        kubectl.apply("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                  namespace: vol
                data:
                  settings.yaml: "batch: 8\\n"
                  ignored: "not listed in items"
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: token
                  namespace: vol
                stringData:
                  token: s3cr3t
                ---
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: files
                  namespace: vol
                spec:
                  template:
                    spec:
                      containers:
                        - image: example.com/files
                          # Before serving, it writes to its emptyDir how /data/models is mounted, as it sees it.
                          command: ["sh", "-c", "awk '$2 == \\"/data/models\\" {print $4}' /proc/self/mounts > /scratch/models-mount && exec python3 -m http.server $PORT --directory /"]
                          # An exec probe sees what the program sees: ready once the claim's file is there.
                          readinessProbe:
                            exec:
                              command: ["test", "-f", "/data/models/model.txt"]
                          volumeMounts:
                            - name: model-data
                              mountPath: /data/models
                              readOnly: true
                            - name: settings
                              mountPath: /etc/tide-volumes-it
                            - name: token
                              mountPath: /var/run/tide-it/token
                            - name: scratch
                              mountPath: /scratch
                      volumes:
                        - name: model-data
                          persistentVolumeClaim:
                            claimName: oss-data
                        - name: settings
                          configMap:
                            name: settings
                            defaultMode: 0444
                            items:
                              - key: settings.yaml
                                path: conf/settings.yaml
                        - name: token
                          secret:
                            secretName: token
                        - name: scratch
                          emptyDir: {}
                """);
        awaitReady("files");
        HttpResponse<String> model = get("files.vol.example.com", "/data/models/model.txt");
        assertThat(model.statusCode()).isEqualTo(200);
        assertThat(model.body()).isEqualTo("weights from the claim\n");
        assertThat(get("files.vol.example.com", "/etc/tide-volumes-it/conf/settings.yaml").body()).isEqualTo("batch: 8\n");
        assertThat(get("files.vol.example.com", "/etc/tide-volumes-it/ignored").statusCode()).as("only the items").isEqualTo(404);
        assertThat(get("files.vol.example.com", "/var/run/tide-it/token/token").body()).isEqualTo("s3cr3t");
        assertThat(get("files.vol.example.com", "/scratch/models-mount").body()).as("written to the emptyDir; the claim read-only")
                .startsWith("ro,");
        assertThat(get("files.vol.example.com", "/etc/hostname").statusCode()).as("the rest of the filesystem as it is")
                .isEqualTo(Files.exists(Path.of("/etc/hostname")) ? 200 : 404);
        // Only the replica sees them: this machine has no /etc/tide-volumes-it, and /data only if it had one.
        assertThat(Files.exists(Path.of("/etc/tide-volumes-it"))).isFalse();
        assertThat(Files.exists(Path.of("/var/run/tide-it"))).isFalse();
        assertThat(Files.exists(Path.of("/data"))).isEqualTo(hadData);
    }

    @Test
    void aMissingClaimOrConfigMapFailsTheRevisionByName() {
        kubectl.apply("""
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: noclaim
                  namespace: vol
                spec:
                  template:
                    spec:
                      containers:
                        - image: example.com/files
                          command: ["python3", "-m", "http.server", "$(PORT)"]
                          volumeMounts:
                            - name: data
                              mountPath: /data/models
                      volumes:
                        - name: data
                          persistentVolumeClaim:
                            claimName: nope
                """);
        await().atMost(WAIT).until(() -> "PersistentVolumeClaimNotFound".equals(kubectl.ok("get", "rev", "noclaim-00001", "-n", "vol",
                "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}")));
        assertThat(kubectl.ok("get", "rev", "noclaim-00001", "-n", "vol", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}"))
                .contains("persistentvolumeclaim \"nope\" not found: give its directory with tide server --volume nope=DIR");
    }
}
