package dev.tide.controlplane.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Conditions;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * Server-side printing: the columns {@code kubectl get} shows for each kind (the same as Knative's and KServe's
 * CRD printer columns), answered as a {@code meta.k8s.io/v1 Table} when kubectl asks for one.
 */
final class Tables {

    private record Column(String name, String type, int priority, Function<JsonNode, String> value) {
        Column withPriority(int p) {
            return new Column(name, type, p, value);
        }
    }

    private static final Column NAME = new Column("Name", "string", 0, Meta::name);

    private Tables() {
    }

    /** Kubernetes' event columns; "Last Seen" stands where other kinds have "Age". */
    private static List<Column> eventColumns(Instant now) {
        return List.of(
                new Column("Last Seen", "string", 0, o -> ago(Json.text(o, "lastTimestamp"), now)),
                new Column("Type", "string", 0, o -> Json.text(o, "type")),
                new Column("Reason", "string", 0, o -> Json.text(o, "reason")),
                new Column("Object", "string", 0, o -> o.path("involvedObject").path("kind").asText().toLowerCase(java.util.Locale.ROOT)
                        + "/" + o.path("involvedObject").path("name").asText()),
                new Column("Message", "string", 0, o -> Json.text(o, "message")),
                new Column("Source", "string", 1, o -> Json.text(o.path("source"), "component")),
                new Column("First Seen", "string", 1, o -> ago(Json.text(o, "firstTimestamp"), now)),
                new Column("Count", "integer", 1, o -> Json.text(o, "count")),
                NAME.withPriority(1));
    }

    /**
     * Kubernetes' pod columns, computed as kubectl's printer computes them: READY counts ready containers, STATUS is
     * {@code Terminating} once deleted, else a waiting container's reason ({@code CrashLoopBackOff}), else the phase;
     * RESTARTS says how long ago the last one ended, e.g. {@code 2 (5s ago)}.
     */
    private static List<Column> podColumns(Instant now) {
        return List.of(NAME,
                new Column("Ready", "string", 0, o -> {
                    JsonNode cs = o.path("status").path("containerStatuses");
                    int ready = 0;
                    for (JsonNode c : cs) {
                        ready += c.path("ready").asBoolean() ? 1 : 0;
                    }
                    return ready + "/" + o.path("spec").path("containers").size();
                }),
                new Column("Status", "string", 0, dev.tide.controlplane.pods.PodView::statusText),
                new Column("Restarts", "string", 0, o -> {
                    JsonNode c = o.path("status").path("containerStatuses").path(0);
                    String finished = Json.text(c.path("lastState").path("terminated"), "finishedAt");
                    String count = Integer.toString(c.path("restartCount").asInt());
                    return finished == null ? count : count + " (" + ago(finished, now) + " ago)";
                }),
                new Column("Age", "string", 0, o -> ago(Json.text(o.path("metadata"), "creationTimestamp"), now)),
                new Column("IP", "string", 1, o -> Json.text(o.path("status"), "podIP")),
                new Column("Node", "string", 1, o -> Json.text(o.path("spec"), "nodeName")));
    }

    private static String ago(String timestamp, Instant now) {
        return timestamp == null ? "<unknown>" : HumanDuration.format(Duration.between(Instant.parse(timestamp), now));
    }

    private static List<Column> columns(ResourceType type) {
        Column ready = new Column("Ready", "string", 0, o -> Json.text(Conditions.get(o, Conditions.READY), "status"));
        Column reason = new Column("Reason", "string", 0, o -> Json.text(Conditions.get(o, Conditions.READY), "reason"));
        Column url = new Column("URL", "string", 0, o -> Json.text(o.path("status"), "url"));
        if (type == ResourceTypes.SERVICE || type == ResourceTypes.CONFIGURATION) {
            List<Column> c = new java.util.ArrayList<>(List.of(NAME));
            if (type == ResourceTypes.SERVICE) {
                c.add(url);
            }
            c.addAll(List.of(
                    new Column("LatestCreated", "string", 0, o -> Json.text(o.path("status"), "latestCreatedRevisionName")),
                    new Column("LatestReady", "string", 0, o -> Json.text(o.path("status"), "latestReadyRevisionName")),
                    ready, reason));
            return c;
        }
        if (type == ResourceTypes.REVISION) {
            return List.of(NAME,
                    new Column("Config Name", "string", 0, o -> Meta.labels(o).get("serving.knative.dev/configuration")),
                    new Column("Generation", "string", 0, o -> Meta.labels(o).get("serving.knative.dev/configurationGeneration")),
                    ready, reason,
                    new Column("Actual Replicas", "integer", 0, o -> Json.text(o.path("status"), "actualReplicas")),
                    new Column("Desired Replicas", "integer", 0, o -> Json.text(o.path("status"), "desiredReplicas")));
        }
        if (type == ResourceTypes.ROUTE) {
            return List.of(NAME, url, ready, reason);
        }
        if (type == ResourceTypes.INFERENCE_SERVICE) {
            return List.of(NAME, url, ready,
                    new Column("Prev", "integer", 0, o -> percent(o, false)),
                    new Column("Latest", "integer", 0, o -> percent(o, true)),
                    new Column("LatestReadyRevision", "string", 0,
                            o -> Json.text(o.path("status").path("components").path("predictor"), "latestReadyRevision")));
        }
        if (type == ResourceTypes.SECRET) {
            return List.of(NAME, new Column("Type", "string", 0, o -> Json.text(o, "type")),
                    new Column("Data", "integer", 0, o -> Integer.toString(o.path("data").size())));
        }
        if (type == ResourceTypes.CONFIG_MAP) {
            return List.of(NAME, new Column("Data", "integer", 0, o -> Integer.toString(o.path("data").size())));
        }
        if (type == ResourceTypes.SERVICE_ACCOUNT) {
            return List.of(NAME, new Column("Secrets", "integer", 0, o -> Integer.toString(o.path("secrets").size())));
        }
        return List.of(NAME);
    }

    /** KServe's PREV/LATEST columns: the predictor's traffic to its previous and latest revision. */
    private static String percent(JsonNode isvc, boolean latest) {
        for (JsonNode t : isvc.path("status").path("components").path("predictor").path("traffic")) {
            if (t.path("latestRevision").asBoolean(false) == latest && t.has("percent")) {
                return t.get("percent").asText();
            }
        }
        return null;
    }

    /**
     * A Table of {@code items}.
     *
     * @param includeObject send each whole object ({@code includeObject=Object}, for {@code --sort-by}) instead of
     *                      its metadata only
     */
    static ObjectNode table(ResourceType type, List<? extends JsonNode> items, String resourceVersion, Instant now,
                            boolean includeObject) {
        ObjectNode table = Json.object();
        table.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata").put("resourceVersion", resourceVersion);
        ArrayNode defs = table.putArray("columnDefinitions");
        boolean event = type == ResourceTypes.EVENT;
        boolean pod = type == ResourceTypes.POD;
        List<Column> columns = event ? eventColumns(now) : pod ? podColumns(now) : columns(type);
        for (Column c : columns) {
            defs.addObject().put("name", c.name()).put("type", c.type()).put("format", c.name().equals("Name") ? "name" : "")
                    .put("description", "").put("priority", c.priority());
        }
        if (!event && !pod) {
            defs.addObject().put("name", "Age").put("type", "date").put("format", "").put("description", "").put("priority", 0);
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode item : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Column c : columns) {
                String v = c.value().apply(item);
                if (v == null) {
                    cells.addNull();
                } else {
                    cells.add(v);
                }
            }
            if (!event && !pod) {
                cells.add(ago(Json.text(item.path("metadata"), "creationTimestamp"), now));
            }
            if (includeObject) {
                row.set("object", item);
            } else {
                ObjectNode partial = row.putObject("object");
                partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
                ObjectNode meta = item.path("metadata").deepCopy();
                meta.remove("annotations");
                partial.set("metadata", meta);
            }
        }
        return table;
    }
}
