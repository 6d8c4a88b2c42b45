package dev.tide.controlplane.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which Routes name which Configurations and Revisions in their {@code spec.traffic}, kept from the Routes' own
 * events, so that a revision's change requeues the Routes that send it traffic without scanning every Route.
 * Worked example: 1,000 Services each with one Route; a revision of {@code svc-7} becoming ready requeues route
 * {@code svc-7} only, where scanning read all 1,000 Routes' traffic.
 *
 * <p>Threading: the controller's watch threads update and read it; every method holds the monitor.
 */
final class RouteReferences {

    private record Target(String namespace, String kind, String name) {
    }

    private final Map<Target, Set<String>> routesByTarget = new HashMap<>();
    private final Map<String, Set<Target>> targetsByRoute = new HashMap<>();

    /** Takes a Route's current traffic; {@code route} null when it was deleted. */
    synchronized void update(String namespace, String name, JsonNode route) {
        String key = namespace + "/" + name;
        for (Target t : targetsByRoute.getOrDefault(key, Set.of())) {
            Set<String> routes = routesByTarget.get(t);
            if (routes != null && routes.remove(name) && routes.isEmpty()) {
                routesByTarget.remove(t);
            }
        }
        targetsByRoute.remove(key);
        if (route == null) {
            return;
        }
        Set<Target> targets = new HashSet<>();
        for (JsonNode t : route.path("spec").path("traffic")) {
            String c = t.path("configurationName").asText("");
            String r = t.path("revisionName").asText("");
            if (!c.isEmpty()) {
                targets.add(new Target(namespace, "c", c));
            }
            if (!r.isEmpty()) {
                targets.add(new Target(namespace, "r", r));
            }
        }
        targetsByRoute.put(key, targets);
        for (Target t : targets) {
            routesByTarget.computeIfAbsent(t, x -> new HashSet<>()).add(name);
        }
    }

    /** The Routes naming {@code configuration} or {@code revision} (either may be empty). */
    synchronized List<String> naming(String namespace, String configuration, String revision) {
        Set<String> out = new HashSet<>(routesByTarget.getOrDefault(new Target(namespace, "c", configuration), Set.of()));
        out.addAll(routesByTarget.getOrDefault(new Target(namespace, "r", revision), Set.of()));
        return List.copyOf(out);
    }
}
