package dev.tide.controlplane.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.runtime.Mount;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VolumeMountsTest {

    private static final JsonNode SPEC = Json.parseObject("""
            {"volumes": [
              {"name": "model-data", "persistentVolumeClaim": {"claimName": "oss-data"}},
              {"name": "host", "hostPath": {"path": "/srv/shared"}},
              {"name": "scratch", "emptyDir": {}},
              {"name": "settings", "configMap": {"name": "settings", "defaultMode": 256, "items": [{"key": "a", "path": "x/a.yaml"}]}},
              {"name": "token", "secret": {"secretName": "token"}},
              {"name": "maybe", "configMap": {"name": "absent", "optional": true}},
              {"name": "remote", "nfs": {"server": "nfs.example.com", "path": "/"}}
            ]}""");

    private static final JsonNode SETTINGS = Json.parseObject("{\"data\": {\"a\": \"batch: 8\", \"b\": \"unused\"}}");
    private static final JsonNode TOKEN = Json.parseObject("{\"data\": {\"token\": \"czNjcjN0\"}}");

    private static VolumeMounts.Resolved resolve(String mounts, boolean canMount) {
        JsonNode container = Json.parseObject("{\"volumeMounts\": " + mounts + "}");
        return VolumeMounts.resolve(SPEC, container, Map.of("oss-data", "/srv/models"),
                name -> name.equals("token") ? Optional.of(TOKEN) : Optional.empty(),
                name -> name.equals("settings") ? Optional.of(SETTINGS) : Optional.empty(), canMount);
    }

    @Test
    void eachSourceResolvesAsTheKubeletResolvesIt() {
        VolumeMounts.Resolved r = resolve("""
                [{"name": "model-data", "mountPath": "/data/models", "readOnly": true},
                 {"name": "host", "mountPath": "/shared", "subPath": "v1"},
                 {"name": "scratch", "mountPath": "/scratch"},
                 {"name": "settings", "mountPath": "/etc/app"},
                 {"name": "token", "mountPath": "/var/run/token"},
                 {"name": "maybe", "mountPath": "/etc/maybe"}]""", true);
        assertThat(r.refusal()).isNull();
        assertThat(r.mounts()).hasSize(6);
        assertThat(r.mounts().get(0)).isEqualTo(new Mount("/data/models", true, new Mount.Directory("/srv/models"), ""));
        assertThat(r.mounts().get(1)).isEqualTo(new Mount("/shared", false, new Mount.Directory("/srv/shared"), "v1"));
        assertThat(r.mounts().get(2).source()).isInstanceOf(Mount.Empty.class);
        Mount.Files settings = (Mount.Files) r.mounts().get(3).source();
        assertThat(settings.files()).containsOnlyKeys("x/a.yaml");
        assertThat(new String(settings.files().get("x/a.yaml"), StandardCharsets.UTF_8)).isEqualTo("batch: 8");
        assertThat(settings.mode()).isEqualTo(0400);
        Mount.Files token = (Mount.Files) r.mounts().get(4).source();
        assertThat(new String(token.files().get("token"), StandardCharsets.UTF_8)).as("decoded").isEqualTo("s3cr3t");
        assertThat(token.mode()).isEqualTo(0644);
        assertThat(((Mount.Files) r.mounts().get(5).source()).files()).as("optional and absent: empty").isEmpty();
    }

    @Test
    void whatCannotBeMountedFailsTheRevisionByName() {
        assertThat(resolve("[]", false).refusal()).as("no mounts, nothing to refuse").isNull();
        assertThat(resolve("[{\"name\": \"scratch\", \"mountPath\": \"/s\"}]", false).refusal().reason()).isEqualTo("VolumesUnsupported");
        JsonNode claimless = Json.parseObject("{\"volumes\": [{\"name\": \"d\", \"persistentVolumeClaim\": {\"claimName\": \"nope\"}}]}");
        ReplicaSpecs.NotRunnable noClaim = VolumeMounts.resolve(claimless, Json.parseObject(
                "{\"volumeMounts\": [{\"name\": \"d\", \"mountPath\": \"/d\"}]}"), Map.of(), n -> Optional.empty(), n -> Optional.empty(),
                true).refusal();
        assertThat(noClaim.reason()).isEqualTo("PersistentVolumeClaimNotFound");
        assertThat(noClaim.message()).isEqualTo("persistentvolumeclaim \"nope\" not found: give its directory with tide server --volume nope=DIR");
        ReplicaSpecs.NotRunnable nfs = resolve("[{\"name\": \"remote\", \"mountPath\": \"/r\"}]", true).refusal();
        assertThat(nfs.reason()).isEqualTo("VolumeUnsupported");
        assertThat(nfs.message()).startsWith("volume remote: nfs volumes are not mounted for local replicas");
        JsonNode special = Json.parseObject("{\"volumes\": [{\"name\": \"m\", \"emptyDir\": {\"medium\": \"Memory\"}},"
                + " {\"name\": \"h\", \"hostPath\": {\"path\": \"/x\", \"type\": \"DirectoryOrCreate\"}}]}");
        assertThat(VolumeMounts.resolve(special, Json.parseObject("{\"volumeMounts\": [{\"name\": \"m\", \"mountPath\": \"/m\"}]}"),
                Map.of(), n -> Optional.empty(), n -> Optional.empty(), true).refusal().message()).contains("emptyDir medium Memory");
        assertThat(VolumeMounts.resolve(special, Json.parseObject("{\"volumeMounts\": [{\"name\": \"h\", \"mountPath\": \"/h\"}]}"),
                Map.of(), n -> Optional.empty(), n -> Optional.empty(), true).refusal().message()).contains("hostPath type DirectoryOrCreate");
        assertThat(resolve("[{\"name\": \"scratch\", \"mountPath\": \"/s\", \"subPathExpr\": \"$(POD_NAME)\"}]", true)
                .refusal().message()).isEqualTo("volumeMounts scratch: subPathExpr is not acted on for local replicas");
        JsonNode missingMap = Json.parseObject("{\"volumes\": [{\"name\": \"c\", \"configMap\": {\"name\": \"gone\"}}]}");
        assertThat(VolumeMounts.resolve(missingMap, Json.parseObject("{\"volumeMounts\": [{\"name\": \"c\", \"mountPath\": \"/c\"}]}"),
                Map.of(), n -> Optional.empty(), n -> Optional.empty(), true).refusal().message())
                .isEqualTo("volume c: configmap \"gone\" not found");
    }
}
