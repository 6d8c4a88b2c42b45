package dev.tide.controlplane.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' legacy discovery documents ({@code /api}, {@code /apis}, {@code /apis/GROUP/VERSION}). kubectl
 * 1.27 to 1.33 all accept them; aggregated discovery would save kubectl one request per group on a cold cache.
 */
final class Discovery {

    private static final List<String> VERBS = List.of("create", "delete", "get", "list", "patch", "update", "watch");
    /** Events are Tide's record: users read and delete them. */
    private static final List<String> EVENT_VERBS = List.of("delete", "get", "list", "watch");
    /** Pods are Tide's view of the replicas: read, and deleted to replace one. */
    private static final List<String> POD_VERBS = EVENT_VERBS;

    private Discovery() {
    }

    static ObjectNode apiVersions() {
        ObjectNode o = Json.object();
        o.put("kind", "APIVersions");
        o.putArray("versions").add("v1");
        o.putArray("serverAddressByClientCIDRs");
        return o;
    }

    static ObjectNode groupList() {
        Map<String, String> groups = new LinkedHashMap<>();
        for (ResourceType t : ResourceTypes.ALL) {
            if (!t.group().isEmpty()) {
                groups.putIfAbsent(t.group(), t.version());
            }
        }
        ObjectNode o = Json.object();
        o.put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode list = o.putArray("groups");
        groups.forEach((group, version) -> {
            ObjectNode g = list.addObject();
            g.put("name", group);
            ObjectNode v = Json.object().put("groupVersion", group + "/" + version).put("version", version);
            g.putArray("versions").add(v);
            g.set("preferredVersion", v.deepCopy());
        });
        return o;
    }

    /** The resources of one group version, or {@code null} if Tide serves none there. */
    static ObjectNode resourceList(String group, String version) {
        List<ResourceType> types = ResourceTypes.ALL.stream()
                .filter(t -> t.group().equals(group) && t.version().equals(version)).toList();
        if (types.isEmpty()) {
            return null;
        }
        ObjectNode o = Json.object();
        o.put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", types.get(0).apiVersion());
        ArrayNode resources = o.putArray("resources");
        for (ResourceType t : types) {
            ObjectNode r = resources.addObject();
            r.put("name", t.plural()).put("singularName", t.singular()).put("namespaced", t.namespaced()).put("kind", t.kind());
            (t == ResourceTypes.EVENT ? EVENT_VERBS : t == ResourceTypes.POD ? POD_VERBS : VERBS).forEach(r.putArray("verbs")::add);
            if (!t.shortNames().isEmpty()) {
                t.shortNames().forEach(r.putArray("shortNames")::add);
            }
            if (t == ResourceTypes.POD) {
                r.putArray("categories").add("all");
                resources.addObject().put("name", "pods/log").put("singularName", "").put("namespaced", true).put("kind", "Pod")
                        .putArray("verbs").add("get");
            }
            if (!t.group().isEmpty()) {
                r.putArray("categories").add("all").add(t.group().startsWith("serving.knative") ? "knative" : "kserve");
            }
        }
        return o;
    }

    static ObjectNode version(String tideVersion) {
        ObjectNode o = Json.object();
        // Minor 32 keeps the kubectl version dispatcher on its built-in client, which Tide is tested with.
        o.put("major", "1").put("minor", "32").put("gitVersion", "v1.32.0-tide." + tideVersion)
                .put("gitCommit", "tide").put("gitTreeState", "clean").put("buildDate", "2026-01-01T00:00:00Z")
                .put("goVersion", "n/a").put("compiler", "tide").put("platform", "java");
        return o;
    }
}
