package dev.tide.api.serving.v1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;

/**
 * One entry of {@code spec.traffic} or {@code status.traffic}. Absent fields are {@code null}.
 *
 * @param latestRevision whether the target follows the configuration's latest ready revision
 * @param percent        share of traffic, 0..100 ({@code null} counts as 0)
 * @param url            status only: the tag's URL
 */
public record TrafficTarget(String tag, String revisionName, String configurationName, Boolean latestRevision,
                            Long percent, String url) {

    public static TrafficTarget from(JsonNode node) {
        JsonNode latest = node.get("latestRevision");
        JsonNode percent = node.get("percent");
        return new TrafficTarget(emptyToNull(Json.text(node, "tag")), emptyToNull(Json.text(node, "revisionName")),
                emptyToNull(Json.text(node, "configurationName")),
                latest == null || latest.isNull() ? null : latest.asBoolean(),
                percent == null || percent.isNull() ? null : percent.asLong(), emptyToNull(Json.text(node, "url")));
    }

    public long percentOrZero() {
        return percent == null ? 0 : percent;
    }

    public boolean followsLatest() {
        return Boolean.TRUE.equals(latestRevision);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        if (tag != null) {
            o.put("tag", tag);
        }
        if (revisionName != null) {
            o.put("revisionName", revisionName);
        }
        if (configurationName != null) {
            o.put("configurationName", configurationName);
        }
        if (latestRevision != null) {
            o.put("latestRevision", latestRevision);
        }
        if (percent != null) {
            o.put("percent", percent);
        }
        if (url != null) {
            o.put("url", url);
        }
        return o;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
