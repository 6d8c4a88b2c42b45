package dev.tide.api.serving.v1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.config.ClusterConfig;

/**
 * The defaults Knative's webhook writes into Services, Configurations and Routes, so what is stored and shown
 * is what will run. Defaults fill only absent fields; a value the user wrote is never replaced.
 */
public final class ServingDefaults {

    private ServingDefaults() {
    }

    public static void service(ObjectNode svc, ClusterConfig config) {
        ObjectNode spec = Json.with(svc, "spec");
        if (spec.get("template") instanceof ObjectNode template) {
            template(template, config);
        }
        traffic(spec, true);
    }

    public static void configuration(ObjectNode cfg, ClusterConfig config) {
        if (Json.with(cfg, "spec").get("template") instanceof ObjectNode template) {
            template(template, config);
        }
    }

    public static void route(ObjectNode route) {
        traffic(Json.with(route, "spec"), false);
    }

    /**
     * A Revision gets every default, container defaults included: it is what runs. Services and Configurations
     * keep their containers as written, so re-applying an unchanged manifest is a no-op for kubectl's three-way
     * merge (which compares lists whole) and it reports {@code unchanged}.
     */
    public static void revision(ObjectNode rev, ClusterConfig config) {
        if (rev.get("spec") instanceof ObjectNode spec) {
            scalars(spec, config);
            containers(spec, config);
        }
    }

    /** Template defaults: {@code containerConcurrency} and {@code timeoutSeconds} from {@code config-defaults}. */
    static void template(ObjectNode template, ClusterConfig config) {
        if (template.get("spec") instanceof ObjectNode spec) {
            scalars(spec, config);
        }
    }

    private static void scalars(ObjectNode spec, ClusterConfig config) {
        if (!spec.hasNonNull("containerConcurrency")) {
            spec.put("containerConcurrency", config.defaults().containerConcurrency());
        }
        if (!spec.hasNonNull("timeoutSeconds")) {
            spec.put("timeoutSeconds", config.defaults().revisionTimeoutSeconds());
        }
    }

    /**
     * Container names, and the serving container's readiness probe (TCP on its port, one success), which is what
     * makes cold starts fast: the probe runs aggressively until the first success.
     */
    private static void containers(ObjectNode spec, ClusterConfig config) {
        if (!(spec.get("containers") instanceof ArrayNode containers)) {
            return;
        }
        for (int i = 0; i < containers.size(); i++) {
            if (!(containers.get(i) instanceof ObjectNode c)) {
                continue;
            }
            if (!c.hasNonNull("name") || c.get("name").asText().isEmpty()) {
                String base = config.defaults().containerNameTemplate();
                c.put("name", containers.size() == 1 ? base : base + "-" + i);
            }
            boolean serving = containers.size() == 1 || !c.path("ports").isEmpty();
            if (serving) {
                if (!(c.get("readinessProbe") instanceof ObjectNode probe)) {
                    ObjectNode probe = c.putObject("readinessProbe");
                    probe.put("successThreshold", 1);
                    probe.putObject("tcpSocket").put("port", 0);
                } else {
                    if (!probe.hasNonNull("successThreshold")) {
                        probe.put("successThreshold", 1);
                    }
                    if (!probe.has("httpGet") && !probe.has("tcpSocket") && !probe.has("exec") && !probe.has("grpc")) {
                        probe.putObject("tcpSocket").put("port", 0);
                    }
                }
            }
        }
    }

    /**
     * Traffic defaults: none given means 100% to the latest ready revision; a target that names no revision
     * follows the latest.
     */
    static void traffic(ObjectNode spec, boolean inService) {
        JsonNode existing = spec.get("traffic");
        if (existing == null || existing.isNull() || (existing.isArray() && existing.isEmpty())) {
            if (inService) {
                ObjectNode t = spec.putArray("traffic").addObject();
                t.put("latestRevision", true);
                t.put("percent", 100);
            }
            return;
        }
        if (existing instanceof ArrayNode list) {
            for (JsonNode n : list) {
                if (n instanceof ObjectNode t && !t.hasNonNull("latestRevision")) {
                    boolean namesRevision = t.hasNonNull("revisionName") && !t.get("revisionName").asText().isEmpty();
                    if (inService || t.hasNonNull("configurationName")) {
                        t.put("latestRevision", !namesRevision);
                    }
                }
            }
        }
    }
}
