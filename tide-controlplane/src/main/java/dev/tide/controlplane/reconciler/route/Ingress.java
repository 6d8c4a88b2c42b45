package dev.tide.controlplane.reconciler.route;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whether the ingress already routes a Route's resolved traffic: a Route is Ready only then, as in Knative, so
 * "Ready" means requests reach the revisions. Declared here, implemented by whatever programs the ingress.
 */
@FunctionalInterface
public interface Ingress {

    /** Whether the ingress routes {@code traffic} (a Route's {@code status.traffic}) for that Route. */
    boolean programmed(String namespace, String route, JsonNode traffic);

    /** An ingress that is programmed as soon as traffic resolves (no data plane, in tests of the control plane). */
    static Ingress immediate() {
        return (namespace, route, traffic) -> true;
    }
}
