package dev.tide.controlplane.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.runtime.Mount;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A container's {@code volumeMounts} resolved against the revision's {@code volumes}, as the kubelet resolves them for a
 * pod: a {@code persistentVolumeClaim} is the directory the operator gave for that claim ({@code tide server --volume
 * NAME=DIR}), a {@code hostPath} is that directory, an {@code emptyDir} is fresh for each replica, a {@code configMap}
 * or {@code secret} becomes files (all keys, or {@code items} at their paths, with {@code defaultMode}). A missing claim,
 * ConfigMap or Secret that is not {@code optional} is the revision's failure, named as the kubelet names it. Pure.
 */
final class VolumeMounts {

    /** The mounts, or why the revision cannot run. */
    record Resolved(List<Mount> mounts, ReplicaSpecs.NotRunnable refusal) {
    }

    /** Volume sources Tide mounts; any other is refused by name rather than ignored. */
    private static final List<String> SOURCES = List.of("persistentVolumeClaim", "hostPath", "emptyDir", "configMap", "secret");

    private VolumeMounts() {
    }

    /**
     * @param claims     the operator's directory for each PersistentVolumeClaim name
     * @param canMount   whether this Tide can give a replica mounts of its own (it runs as root, with a private mount
     *                   namespace per replica)
     */
    static Resolved resolve(JsonNode spec, JsonNode container, Map<String, String> claims,
                            Function<String, Optional<? extends JsonNode>> secrets,
                            Function<String, Optional<? extends JsonNode>> configMaps, boolean canMount) {
        JsonNode mounts = container.path("volumeMounts");
        if (mounts.isEmpty()) {
            return new Resolved(List.of(), null);
        }
        if (!canMount) {
            return refused("VolumesUnsupported", "volumeMounts: this Tide does not run as root, so it cannot give a replica "
                    + "mounts of its own (a private mount namespace per replica); run tide server as root, or serve the "
                    + "model from a storageUri");
        }
        Map<String, JsonNode> volumes = new LinkedHashMap<>();
        for (JsonNode v : spec.path("volumes")) {
            volumes.put(Json.text(v, "name"), v);
        }
        List<Mount> out = new ArrayList<>();
        for (JsonNode m : mounts) {
            String name = Json.text(m, "name");
            JsonNode v = volumes.get(name);
            if (v == null) {
                return refused("VolumeMissing", "volumeMounts " + name + ": no volume of that name in spec.volumes");
            }
            // What a local mount cannot do is refused by name, not dropped.
            for (String field : List.of("subPathExpr", "recursiveReadOnly")) {
                if (m.hasNonNull(field)) {
                    return refused("VolumeUnsupported", "volumeMounts " + name + ": " + field + " is not acted on for local replicas");
                }
            }
            String propagation = Json.text(m, "mountPropagation");
            if (propagation != null && !propagation.equals("None")) {
                return refused("VolumeUnsupported", "volumeMounts " + name + ": mountPropagation " + propagation
                        + " is not acted on for local replicas (their mounts are private)");
            }
            String path = Json.text(m, "mountPath");
            boolean readOnly = m.path("readOnly").asBoolean(false);
            String subPath = Json.text(m, "subPath");
            Mount.Source source = null;
            ReplicaSpecs.NotRunnable refusal = null;
            if (v.has("persistentVolumeClaim")) {
                String claim = Json.text(v.get("persistentVolumeClaim"), "claimName");
                String dir = claims.get(claim);
                if (dir == null) {
                    refusal = new ReplicaSpecs.NotRunnable("PersistentVolumeClaimNotFound", "persistentvolumeclaim \"" + claim
                            + "\" not found: give its directory with tide server --volume " + claim + "=DIR");
                } else {
                    source = new Mount.Directory(dir);
                    readOnly |= v.get("persistentVolumeClaim").path("readOnly").asBoolean(false);
                }
            } else if (v.has("hostPath")) {
                String type = Json.text(v.get("hostPath"), "type");
                if (type != null && !type.isEmpty() && !type.equals("Directory") && !type.equals("File")) {
                    refusal = new ReplicaSpecs.NotRunnable("VolumeUnsupported", "volume " + name + ": hostPath type " + type
                            + " is not acted on for local replicas; the path is mounted as it is (type Directory or File)");
                } else {
                    source = new Mount.Directory(Json.text(v.get("hostPath"), "path"));
                }
            } else if (v.has("emptyDir")) {
                JsonNode empty = v.get("emptyDir");
                if (empty.hasNonNull("sizeLimit") || "Memory".equals(Json.text(empty, "medium"))) {
                    refusal = new ReplicaSpecs.NotRunnable("VolumeUnsupported", "volume " + name + ": emptyDir medium Memory "
                            + "and sizeLimit are not acted on for local replicas; their emptyDir is a directory on disk");
                } else {
                    source = new Mount.Empty();
                }
            } else if (v.has("configMap") || v.has("secret")) {
                boolean secret = v.has("secret");
                JsonNode ref = v.get(secret ? "secret" : "configMap");
                String objName = Json.text(ref, secret ? "secretName" : "name");
                Optional<? extends JsonNode> obj = (secret ? secrets : configMaps).apply(objName);
                if (obj.isEmpty() && !ref.path("optional").asBoolean(false)) {
                    refusal = new ReplicaSpecs.NotRunnable(secret ? "SecretMissing" : "ConfigMapMissing", "volume " + name + ": "
                            + (secret ? "secret" : "configmap") + " \"" + objName + "\" not found");
                } else {
                    Map<String, byte[]> files = new LinkedHashMap<>();
                    JsonNode data = obj.map(o -> o.path("data")).orElse(Json.object());
                    Map<String, String> paths = new LinkedHashMap<>();
                    if (ref.has("items")) {
                        for (JsonNode item : ref.get("items")) {
                            paths.put(Json.text(item, "key"), Json.text(item, "path"));
                        }
                    } else {
                        data.fieldNames().forEachRemaining(k -> paths.put(k, k));
                    }
                    for (Map.Entry<String, String> e : paths.entrySet()) {
                        JsonNode value = data.get(e.getKey());
                        if (value == null) {
                            if (obj.isPresent() && !ref.path("optional").asBoolean(false)) {
                                refusal = new ReplicaSpecs.NotRunnable(secret ? "SecretMissing" : "ConfigMapMissing", "volume " + name
                                        + ": " + (secret ? "secret" : "configmap") + " \"" + objName + "\" has no key \"" + e.getKey() + "\"");
                            }
                            continue;
                        }
                        files.put(e.getValue(), secret ? Base64.getDecoder().decode(value.asText())
                                : value.asText().getBytes(StandardCharsets.UTF_8));
                    }
                    source = new Mount.Files(files, ref.path("defaultMode").asInt(0644));
                }
            } else {
                String kind = v.fieldNames().hasNext() ? firstSource(v) : "none";
                refusal = new ReplicaSpecs.NotRunnable("VolumeUnsupported", "volume " + name + ": " + kind
                        + " volumes are not mounted for local replicas; Tide mounts " + String.join(", ", SOURCES));
            }
            if (refusal != null) {
                return new Resolved(List.of(), refusal);
            }
            out.add(new Mount(path, readOnly, source, subPath));
        }
        return new Resolved(List.copyOf(out), null);
    }

    private static String firstSource(JsonNode v) {
        var names = v.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!n.equals("name")) {
                return n;
            }
        }
        return "none";
    }

    private static Resolved refused(String reason, String message) {
        return new Resolved(List.of(), new ReplicaSpecs.NotRunnable(reason, message));
    }
}
