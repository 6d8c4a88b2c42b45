package dev.tide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.naming.Names;
import dev.tide.api.serving.v1.AffinityAnnotations;
import dev.tide.dataplane.gateway.RevisionEndpoint;
import dev.tide.dataplane.routing.RevisionKey;
import dev.tide.dataplane.routing.RoutingTable;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the gateway's routing table takes from a Route and from an InferenceService, parsed once when the object
 * changes, so rebuilding the table touches no JSON.
 */
final class RoutingInputs {

    private RoutingInputs() {
    }

    /**
     * One Route's part of the table.
     *
     * @param host     the host of {@code status.url}; null until the Route has one
     * @param targets  its resolved {@code status.traffic}, percents summed per revision, zero-percent targets left out
     * @param tagHosts the host of each tagged target's URL, routed wholly to its revision
     * @param routed   every revision its traffic names, at any percent: each gets an endpoint
     * @param affinity cookie affinity from the annotations the Route inherits from its Service; null for none
     * @param traffic  {@code status.traffic} as written, to tell when the table routes exactly it
     */
    record Route(String host, List<RoutingTable.Target> targets, Map<String, RevisionKey> tagHosts, Set<RevisionKey> routed,
                 RevisionEndpoint.Affinity affinity, String traffic) {

        static Route of(ObjectNode route) {
            String ns = Meta.namespace(route);
            JsonNode traffic = route.path("status").path("traffic");
            Map<String, Integer> split = new LinkedHashMap<>();
            Map<String, RevisionKey> tagHosts = new LinkedHashMap<>();
            Set<RevisionKey> routed = new LinkedHashSet<>();
            for (JsonNode t : traffic) {
                String rev = Json.text(t, "revisionName");
                if (rev == null) {
                    continue;
                }
                routed.add(new RevisionKey(ns, rev));
                split.merge(rev, t.path("percent").asInt(0), Integer::sum);
                String tagUrl = Json.text(t, "url");
                if (tagUrl != null) {
                    tagHosts.put(hostOf(tagUrl), new RevisionKey(ns, rev));
                }
            }
            List<RoutingTable.Target> targets = new ArrayList<>();
            split.forEach((rev, pct) -> {
                if (pct > 0) {
                    targets.add(new RoutingTable.Target(new RevisionKey(ns, rev), pct));
                }
            });
            String url = Json.text(route.path("status"), "url");
            RevisionEndpoint.Affinity affinity = AffinityAnnotations.of(Meta.annotations(route))
                    .map(a -> new RevisionEndpoint.Affinity(a.cookieName(), a.maxAgeSeconds())).orElse(null);
            return new Route(url == null ? null : hostOf(url), List.copyOf(targets), Map.copyOf(tagHosts), Set.copyOf(routed), affinity,
                    traffic.toString());
        }
    }

    /**
     * One InferenceService's part of the table: its top-level host and model name, routed as the Route of its
     * entry component (the transformer when it has one, else the predictor).
     *
     * @param host  the host of {@code status.url}; null until it has one
     * @param route {@code namespace/name} of the entry component's Route
     */
    record InferenceService(String host, String model, String route) {

        static InferenceService of(ObjectNode isvc) {
            String ns = Meta.namespace(isvc);
            String name = Meta.name(isvc);
            boolean transformer = isvc.path("spec").hasNonNull("transformer");
            String url = Json.text(isvc.path("status"), "url");
            return new InferenceService(url == null ? null : hostOf(url), name,
                    ns + "/" + Names.component(name, transformer ? "transformer" : "predictor"));
        }
    }

    static String hostOf(String url) {
        return URI.create(url).getHost();
    }
}
