package dev.tide.dataplane.gateway;

import dev.tide.dataplane.routing.RevisionKey;
import dev.tide.dataplane.routing.RoutingTable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data plane's view of the world: the routing table and each revision's endpoint. The launcher keeps both
 * current from the control plane's objects and the runtime's replicas; the gateway only reads.
 *
 * <p>Threading: the table is a volatile immutable snapshot; endpoints live in a concurrent map.
 */
public final class Endpoints {

    private volatile RoutingTable table = RoutingTable.empty();
    private final Map<RevisionKey, RevisionEndpoint> endpoints = new ConcurrentHashMap<>();

    public RoutingTable table() {
        return table;
    }

    public void setTable(RoutingTable table) {
        this.table = table;
    }

    public RevisionEndpoint get(RevisionKey key) {
        return endpoints.get(key);
    }

    public void put(RevisionEndpoint endpoint) {
        endpoints.put(endpoint.key(), endpoint);
    }

    public void remove(RevisionKey key) {
        endpoints.remove(key);
    }

    /** The revisions with an endpoint now (a copy). */
    public java.util.Set<RevisionKey> keys() {
        return java.util.Set.copyOf(endpoints.keySet());
    }
}
