package dev.tide.api.serving.v1;

/** Labels and annotations Knative puts on the objects it creates; Tide puts the same ones. */
public final class ServingLabels {

    public static final String SERVICE = "serving.knative.dev/service";
    public static final String CONFIGURATION = "serving.knative.dev/configuration";
    public static final String CONFIGURATION_GENERATION = "serving.knative.dev/configurationGeneration";
    public static final String ROUTE = "serving.knative.dev/route";
    public static final String REVISION = "serving.knative.dev/revision";
    /** Set on a Revision that a Route sends traffic to. */
    public static final String ROUTING_STATE = "serving.knative.dev/routingState";
    /** KServe: the InferenceService and component a Knative Service serves. */
    public static final String INFERENCE_SERVICE = "serving.kserve.io/inferenceservice";
    public static final String COMPONENT = "component";

    private ServingLabels() {
    }
}
