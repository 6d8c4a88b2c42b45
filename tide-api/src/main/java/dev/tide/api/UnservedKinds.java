package dev.tide.api;

import java.util.Map;

/**
 * Explains the kinds that appear next to Knative and KServe manifests but that Tide does not serve, naming
 * Tide's equivalent where it has one, so a user applying a whole directory learns what to do instead.
 */
public final class UnservedKinds {

    private static final String RBAC = "Tide's API has no RBAC objects: give users tokens in tide server --token-auth-file with the groups "
            + "tide:admin, tide:view, tide:admin:NAMESPACE or tide:view:NAMESPACE";

    private static final Map<String, String> EQUIVALENTS = Map.ofEntries(
            Map.entry("Dataset", "Tide fetches and caches models itself: point the InferenceService's storageUri "
                    + "at the model (file://, pvc://, http(s)://, s3://)"),
            Map.entry("JindoRuntime", "Tide's local model cache replaces the Fluid cache runtime: its quota and "
                    + "high/low watermarks are Tide settings"),
            Map.entry("ImageCache", "Tide runs replicas as local processes, so there are no images to pre-pull"),
            Map.entry("ResourcePolicy", "Tide has no equivalent yet (resource pools that fill a preferred pool first "
                    + "are planned)"),
            Map.entry("Deployment", "run it as a Knative Service (serving.knative.dev/v1), which Tide scales for you"),
            Map.entry("ReplicaSet", "run it as a Knative Service (serving.knative.dev/v1)"),
            Map.entry("Pod", "run it as a Knative Service (serving.knative.dev/v1)"),
            Map.entry("Ingress", "Tide's ingress routes each Knative Service by its Host, with no Ingress object"),
            Map.entry("ClusterRole", RBAC),
            Map.entry("ClusterRoleBinding", RBAC),
            Map.entry("Role", RBAC),
            Map.entry("RoleBinding", RBAC),
            Map.entry("HorizontalPodAutoscaler", "set autoscaling.knative.dev/class: hpa.autoscaling.knative.dev "
                    + "on the Knative Service instead"));

    private UnservedKinds() {
    }

    /**
     * The one-line refusal for a manifest Tide does not serve, e.g. {@code Tide does not serve
     * data.fluid.io/v1alpha1 Dataset "oss-data": Tide caches models itself: ...}.
     */
    public static String refusal(String apiVersion, String kind, String name) {
        String what = "Tide does not serve " + apiVersion + " " + kind + (name.isEmpty() ? "" : " \"" + name + "\"");
        if ("v1".equals(apiVersion) && "Service".equals(kind)) {
            return what + ": Tide's ingress routes each Knative Service by its Host; "
                    + "use apiVersion serving.knative.dev/v1 for a service Tide should run";
        }
        String equivalent = EQUIVALENTS.get(kind);
        return equivalent == null
                ? what + " (served kinds: " + String.join(", ",
                        ResourceTypes.ALL.stream().map(t -> t.apiVersion() + " " + t.kind()).toList()) + ")"
                : what + ": " + equivalent;
    }
}
