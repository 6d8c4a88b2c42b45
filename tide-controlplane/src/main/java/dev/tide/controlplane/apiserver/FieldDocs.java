package dev.tide.controlplane.apiserver;

import java.util.HashMap;
import java.util.Map;

/**
 * What {@code kubectl explain} says of each kind and of the fields users set most, in Tide's terms: what the field
 * does here. Fields not listed have their type and no description.
 */
final class FieldDocs {

    private static final Map<String, String> DOCS = new HashMap<>();

    private static final String CONCURRENCY = "The most requests one replica is given at once; 0 (the default) sets no "
            + "limit. Requests beyond it wait in Tide's activator. The KPA targets 70% of it unless "
            + "autoscaling.knative.dev/target says otherwise.";
    private static final String TIMEOUT = "The longest a request may take, in seconds, before Tide answers 504 "
            + "(default 300, at most max-revision-timeout-seconds).";
    private static final String RESPONSE_START = "How long, in seconds, a replica may take to start its answer before "
            + "Tide answers 504 (default: timeoutSeconds).";
    private static final String IDLE = "How long, in seconds, an answer may pause between bytes before Tide cuts it "
            + "(0: no limit).";
    private static final String CONTAINERS = "The program to run. Tide runs its command and args as a local process "
            + "(or a pod on Kubernetes), with PORT, K_SERVICE, K_CONFIGURATION and K_REVISION set, probed as the kubelet "
            + "probes a pod.";
    private static final String RESOURCES = "Requests are recorded for the HPA's utilization targets; limits.memory is "
            + "enforced (a replica reaching it is OOMKilled and restarted); limits.cpu is a CFS quota in the replica's own "
            + "cgroup where the host gives Tide cgroups, else stored with a warning. The ResourceLimitsEnforced condition "
            + "says which limits are held, and how.";
    private static final String TEMPLATE = "What each revision runs. Every change to it (not to the Service's own "
            + "metadata) stamps out a new Revision, NAME-00001, NAME-00002, ...";
    private static final String ANNOTATIONS = "Autoscaling is set here: autoscaling.knative.dev/class, metric, target, "
            + "min-scale, max-scale, initial-scale, window, panic-window-percentage, scale-down-delay, and the rest of "
            + "Knative's autoscaling annotations.";
    private static final String TRAFFIC = "How requests are split among revisions: each entry names a revisionName (or "
            + "latestRevision: true) and a percent; the percents add up to 100. A tag gives the entry its own URL.";

    static {
        put("Service", "", "A Knative Service: a Configuration (what to run) and a Route (where its requests go), kept "
                + "together. Tide runs its revisions as replicas, scales them with Knative's KPA from zero on the first "
                + "request and back to zero when idle, and serves them at its URL through Tide's ingress.");
        put("Configuration", "", "A Knative Configuration: the template that stamps out a Revision at each change.");
        put("Revision", "", "A Knative Revision: one immutable version of a Configuration's template, scaled by the "
                + "autoscaler.");
        put("Route", "", "A Knative Route: splits a URL's requests among revisions.");
        put("InferenceService", "", "A KServe InferenceService: a predictor (a model, or a container) with an optional "
                + "transformer, each served as a Knative Service of its own and scaled from zero like one.");
        put("Secret", "", "Credentials, as Kubernetes stores them: data values are base64.");
        put("ConfigMap", "", "Settings: Knative's config-autoscaler, config-network, ... in knative-serving, or data for "
                + "replicas.");
        put("ServiceAccount", "", "Names the Secrets that hold an InferenceService's storage credentials, as in KServe.");
        put("Pod", "", "One replica of a revision, as a Knative Deployment's pod: made, replaced and removed by the "
                + "autoscaler, read, watched and deleted (the replica is replaced) by users, never written.");
        for (String kind : new String[] {"Service", "Configuration"}) {
            put(kind, "spec.template", TEMPLATE);
            put(kind, "spec.template.metadata.annotations", ANNOTATIONS);
            revisionSpec(kind, "spec.template.spec.");
        }
        revisionSpec("Revision", "spec.");
        put("Service", "spec.traffic", TRAFFIC);
        put("Route", "spec.traffic", TRAFFIC);
        put("InferenceService", "spec.predictor", "The component that answers predictions: a model (modelFormat and "
                + "storageUri, served by Tide's model server) or containers of one's own.");
        put("InferenceService", "spec.transformer", "An optional component in front of the predictor: requests reach it "
                + "first, and it calls the predictor at PREDICTOR_HOST.");
        for (String c : new String[] {"predictor", "transformer"}) {
            String at = "spec." + c + ".";
            put("InferenceService", at + "minReplicas", "The fewest replicas (default 1; 0 lets it scale to zero).");
            put("InferenceService", at + "maxReplicas", "The most replicas (0: no limit).");
            put("InferenceService", at + "scaleTarget", "The autoscaler's target per replica for scaleMetric.");
            put("InferenceService", at + "scaleMetric", "What the autoscaler scales on: concurrency (default), rps, cpu or memory.");
            put("InferenceService", at + "containerConcurrency", CONCURRENCY);
            put("InferenceService", at + "timeout", TIMEOUT);
            put("InferenceService", at + "containers", CONTAINERS);
        }
        put("InferenceService", "spec.predictor.model", "The model to serve: its format (modelFormat.name) picks the runtime.");
        put("InferenceService", "spec.predictor.model.storageUri", "Where the model is: file://, pvc://, s3://, gs://, "
                + "https:// or hf://; fetched into Tide's model cache before the model server starts.");
        put("InferenceService", "spec.predictor.model.modelFormat", "The model's format: its name picks the runtime "
                + "that serves it; Tide refuses a format none of its runtimes serves.");
        status();
    }

    /** What the controllers write, as Knative and KServe describe it, in Tide's terms. */
    private static void status() {
        for (String kind : new String[] {"Service", "Configuration", "Route", "Revision", "InferenceService"}) {
            put(kind, "status.observedGeneration", "The metadata.generation the controllers last acted on: while it is "
                    + "behind, the rest of the status is not yet up to date.");
            put(kind, "status.conditions", "Ready and the conditions it is made of, each True, False or Unknown with a "
                    + "CamelCase reason and a message. Conditions with severity Warning or Info (ResourceLimitsEnforced, "
                    + "SecurityContext, ...) are not part of Ready.");
        }
        for (String kind : new String[] {"Service", "Route", "InferenceService"}) {
            put(kind, "status.url", "Where requests go: http://NAME.NAMESPACE.DOMAIN on Tide's ingress.");
            put(kind, "status.address", "The address inside the cluster; Tide's ingress answers it too.");
        }
        for (String kind : new String[] {"Service", "Route"}) {
            put(kind, "status.traffic", "The split as it is routed now: revisions by name (latestRevision: true "
                    + "resolved), their percents, and each tag's own URL.");
        }
        for (String kind : new String[] {"Service", "Configuration"}) {
            put(kind, "status.latestCreatedRevisionName", "The revision the latest template stamped out.");
            put(kind, "status.latestReadyRevisionName", "The newest revision that became Ready: latestRevision traffic goes to it.");
        }
        put("Revision", "status.actualReplicas", "Replicas ready to serve now.");
        put("Revision", "status.desiredReplicas", "Replicas the autoscaler wants now (0 when scaled to zero).");
        put("InferenceService", "status.components", "Each component (predictor, transformer) as its Knative Service "
                + "reports it: URL, latest created and ready revisions, traffic.");
        put("Pod", "status", "The replica's state as a pod's: phase, conditions, and its container's state, restarts "
                + "and last termination.");
        put("Pod", "status.phase", "Pending while its process starts, Running, Succeeded or Failed once it has ended.");
        put("Pod", "status.podIP", "The address the replica listens on (loopback for local replicas).");
        put("Pod", "status.containerStatuses", "The container's state (waiting with a reason such as CrashLoopBackOff, "
                + "running, terminated), readiness, restart count and last termination (OOMKilled at "
                + "resources.limits.memory, Error with the exit code, Completed, StartError).");
    }

    private FieldDocs() {
    }

    private static void revisionSpec(String kind, String prefix) {
        put(kind, prefix + "containerConcurrency", CONCURRENCY);
        put(kind, prefix + "timeoutSeconds", TIMEOUT);
        put(kind, prefix + "responseStartTimeoutSeconds", RESPONSE_START);
        put(kind, prefix + "idleTimeoutSeconds", IDLE);
        put(kind, prefix + "containers", CONTAINERS);
        put(kind, prefix + "containers[].resources", RESOURCES);
    }

    private static void put(String kind, String path, String doc) {
        DOCS.put(kind + ":" + path, doc);
    }

    /** What to say of {@code path} ({@code ""} for the kind itself) in {@code kind}, or {@code null}. */
    static String of(String kind, String path) {
        String doc = DOCS.get(kind + ":" + path);
        return doc != null ? doc : COMMON.get(path);
    }

    /** The fields every kind has, as Kubernetes describes them. */
    private static final Map<String, String> COMMON = Map.of(
            "apiVersion", "The versioned schema of this object: group/version, as in the manifest.",
            "kind", "The kind of this object, as in the manifest.",
            "metadata", "Name, namespace, labels and annotations; uid, resourceVersion, generation and creationTimestamp are set by Tide.",
            "spec", "What the user asks for.",
            "status", "What Tide observed, written by its controllers: conditions, URLs, revisions and replica counts. "
                    + "Written by Tide only: a status in what a user applies is not kept.");
}
