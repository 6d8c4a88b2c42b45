package dev.tide.api.kserve.v1beta1;

import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import java.util.List;
import java.util.Map;

/**
 * KServe's own annotations on an InferenceService, parsed in this one place.
 *
 * <ul>
 *   <li>{@code serving.kserve.io/deploymentMode}: {@code Serverless} or its newer name {@code Knative} (the default:
 *       Knative Services, scale to zero allowed), {@code RawDeployment} or its newer name {@code Standard} (what
 *       KServe runs as a Deployment with an HPA: no scale to zero, at least one replica, scaled on CPU unless the
 *       component names another resource metric). {@code ModelMesh} is refused: KServe archived ModelMesh, and Tide
 *       has no ModelMesh runtime.</li>
 *   <li>{@code serving.kserve.io/stop}: {@code "true"} stops the InferenceService as KServe does: its components'
 *       Services (and so their revisions, replicas and routes) are removed, and its status says {@code Stopped};
 *       {@code "false"} or no annotation runs it. KServe reads the value case-insensitively, and so does Tide.</li>
 * </ul>
 */
public record KServeAnnotations(DeploymentMode mode, boolean stopped) {

    public static final String DEPLOYMENT_MODE = "serving.kserve.io/deploymentMode";
    public static final String STOP = "serving.kserve.io/stop";
    private static final List<String> MODES = List.of("Serverless", "Knative", "RawDeployment", "Standard");

    /** How KServe runs the components. */
    public enum DeploymentMode {
        /** Knative Services: KPA, scale to zero when {@code minReplicas: 0}. */
        SERVERLESS,
        /** A Deployment with an HPA: CPU scaling by default, never below one replica. */
        STANDARD
    }

    /** The annotations of a valid InferenceService (see {@link #validate}). */
    public static KServeAnnotations of(Map<String, String> annotations) {
        String mode = annotations.get(DEPLOYMENT_MODE);
        return new KServeAnnotations(mode != null && (mode.equals("RawDeployment") || mode.equals("Standard"))
                ? DeploymentMode.STANDARD : DeploymentMode.SERVERLESS, "true".equalsIgnoreCase(annotations.get(STOP)));
    }

    static void validate(Map<String, String> annotations, String path, FieldErrors errors) {
        String mode = annotations.get(DEPLOYMENT_MODE);
        if ("ModelMesh".equals(mode)) {
            errors.add(FieldError.invalidValue(mode, path + "[" + DEPLOYMENT_MODE + "]", "ModelMesh is not served: KServe archived "
                    + "it and Tide has no ModelMesh runtime; use Serverless (scale to zero) or Standard"));
        } else if (mode != null && !MODES.contains(mode)) {
            errors.add(FieldError.invalidValue(mode, path + "[" + DEPLOYMENT_MODE + "]", "expected one of " + String.join(", ", MODES)));
        }
        String stop = annotations.get(STOP);
        if (stop != null && !stop.equalsIgnoreCase("true") && !stop.equalsIgnoreCase("false")) {
            errors.add(FieldError.invalidValue(stop, path + "[" + STOP + "]", "expected true or false"));
        }
    }
}
