package dev.tide.api;

import java.util.List;
import java.util.Optional;

/** The kinds Tide serves. Immutable; the API server, the CLI and validation all read this one list. */
public final class ResourceTypes {

    public static final String KNATIVE_SERVING = "serving.knative.dev";
    public static final String KSERVE = "serving.kserve.io";

    public static final ResourceType SERVICE =
            new ResourceType(KNATIVE_SERVING, "v1", "Service", "services", List.of("ksvc", "kservice"), true);
    public static final ResourceType CONFIGURATION =
            new ResourceType(KNATIVE_SERVING, "v1", "Configuration", "configurations", List.of("config", "cfg"), true);
    public static final ResourceType REVISION =
            new ResourceType(KNATIVE_SERVING, "v1", "Revision", "revisions", List.of("rev"), true);
    public static final ResourceType ROUTE =
            new ResourceType(KNATIVE_SERVING, "v1", "Route", "routes", List.of("rt"), true);
    public static final ResourceType INFERENCE_SERVICE =
            new ResourceType(KSERVE, "v1beta1", "InferenceService", "inferenceservices", List.of("isvc"), true);
    public static final ResourceType SECRET =
            new ResourceType("", "v1", "Secret", "secrets", List.of(), true);
    public static final ResourceType CONFIG_MAP =
            new ResourceType("", "v1", "ConfigMap", "configmaps", List.of("cm"), true);
    /** Stored for what it names: the Secrets that hold an InferenceService's storage credentials, as in KServe. */
    public static final ResourceType SERVICE_ACCOUNT =
            new ResourceType("", "v1", "ServiceAccount", "serviceaccounts", List.of("sa"), true);

    /** What happened to an object (scaling decisions, replica starts and crashes), written by Tide, read by users. */
    public static final ResourceType EVENT =
            new ResourceType("", "v1", "Event", "events", List.of("ev"), true);

    /**
     * Tide's view of a revision's replicas, one Pod each, as Knative's Deployments make them: read, watched, deleted
     * (the replica is replaced) and their logs read, never written; not stored.
     */
    public static final ResourceType POD =
            new ResourceType("", "v1", "Pod", "pods", List.of("po"), true);

    /** Every served type, in the order discovery lists them. */
    public static final List<ResourceType> ALL =
            List.of(SERVICE, CONFIGURATION, REVISION, ROUTE, INFERENCE_SERVICE, SECRET, CONFIG_MAP, SERVICE_ACCOUNT, EVENT, POD);

    private ResourceTypes() {
    }

    /** The served type for a manifest's {@code apiVersion} and {@code kind}. */
    public static Optional<ResourceType> byApiVersionAndKind(String apiVersion, String kind) {
        return ALL.stream().filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst();
    }

    /** The served type a command-line name refers to ({@code ksvc}, {@code revisions}, {@code isvc}, ...). */
    public static Optional<ResourceType> byName(String name) {
        // Knative's Service wins over any other meaning of "service", as it does with kubectl against Tide.
        return ALL.stream().filter(t -> t.matches(name)).findFirst();
    }

    /** The served type for a URL's group, version and plural. */
    public static Optional<ResourceType> byPath(String group, String version, String plural) {
        return ALL.stream()
                .filter(t -> t.group().equals(group) && t.version().equals(version) && t.plural().equals(plural))
                .findFirst();
    }
}
