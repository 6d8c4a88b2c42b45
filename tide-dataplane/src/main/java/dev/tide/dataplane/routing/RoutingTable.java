package dev.tide.dataplane.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Where requests go: for each host, the revisions behind it with their share of traffic. Built by the launcher from
 * Routes' resolved {@code status.traffic} (so the data plane needs nothing from the control plane), replaced whole
 * on every change, read without locks.
 *
 * <p>KServe clients often send {@code /v1/models/NAME:predict} or {@code /v2/models/NAME/infer} without a useful
 * Host header; when exactly one InferenceService has that name, its host is used.
 */
public final class RoutingTable {

    /** A revision and its share, in percent. */
    public record Target(RevisionKey revision, int percent) {
    }

    /** A host's targets and the sum of their shares, summed once when the table is built. */
    private record Split(List<Target> targets, int total) {
        static Split of(List<Target> targets) {
            int total = 0;
            for (Target t : targets) {
                total += t.percent();
            }
            return new Split(List.copyOf(targets), total);
        }
    }

    private final Map<String, Split> hosts;
    private final Map<String, String> modelHosts;

    private RoutingTable(Map<String, Split> hosts, Map<String, String> modelHosts) {
        this.hosts = Map.copyOf(hosts);
        this.modelHosts = Map.copyOf(modelHosts);
    }

    public static RoutingTable empty() {
        return new RoutingTable(Map.of(), Map.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The revision for a request, or {@code null} when no route matches. A split is drawn at random with the
     * targets' weights: with 70/30, a uniform draw in [0, 100) below 70 picks the first.
     */
    public RevisionKey route(String hostHeader, String path, RandomGenerator random) {
        Split split = hostHeader == null ? null : hosts.get(normalize(hostHeader));
        if (split == null) {
            String model = modelName(path);
            String host = model == null ? null : modelHosts.get(model);
            split = host == null ? null : hosts.get(host);
        }
        if (split == null || split.targets().isEmpty()) {
            return null;
        }
        List<Target> targets = split.targets();
        if (targets.size() == 1) {
            return targets.get(0).revision();
        }
        if (split.total() <= 0) {
            return null;
        }
        int draw = random.nextInt(split.total());
        for (Target t : targets) {
            draw -= t.percent();
            if (draw < 0) {
                return t.revision();
            }
        }
        return targets.get(targets.size() - 1).revision();
    }

    /** The hosts with routes, for error messages and tests. */
    public java.util.Set<String> hosts() {
        return hosts.keySet();
    }

    static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        return colon > 0 && h.indexOf(']') < colon ? h.substring(0, colon) : h;
    }

    /** {@code NAME} from {@code /v1/models/NAME[:verb]} or {@code /v2/models/NAME/...}, else {@code null}. */
    static String modelName(String path) {
        if (path == null) {
            return null;
        }
        String p = path.startsWith("/v1/models/") ? path.substring(11) : path.startsWith("/v2/models/") ? path.substring(11) : null;
        if (p == null || p.isEmpty()) {
            return null;
        }
        int end = p.length();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '/' || c == ':' || c == '?') {
                end = i;
                break;
            }
        }
        return p.substring(0, end);
    }

    /** Builds a table. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Split> hosts = new HashMap<>();
        private final Map<String, String> modelHosts = new HashMap<>();
        private final java.util.Set<String> ambiguousModels = new java.util.HashSet<>();

        public Builder host(String host, List<Target> targets) {
            hosts.put(normalize(host), Split.of(targets));
            return this;
        }

        /** Routes KServe paths for {@code model} to {@code host} when no other model has the same name. */
        public Builder model(String model, String host) {
            if (modelHosts.containsKey(model) || ambiguousModels.contains(model)) {
                modelHosts.remove(model);
                ambiguousModels.add(model);
            } else {
                modelHosts.put(model, normalize(host));
            }
            return this;
        }

        public RoutingTable build() {
            return new RoutingTable(hosts, modelHosts);
        }
    }
}
