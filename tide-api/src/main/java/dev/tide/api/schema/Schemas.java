package dev.tide.api.schema;

import static dev.tide.api.schema.Schema.Scalar.ANY;
import static dev.tide.api.schema.Schema.Scalar.BOOLEAN;
import static dev.tide.api.schema.Schema.Scalar.INT32;
import static dev.tide.api.schema.Schema.Scalar.INT64;
import static dev.tide.api.schema.Schema.Scalar.INT_OR_STRING;
import static dev.tide.api.schema.Schema.Scalar.QUANTITY;
import static dev.tide.api.schema.Schema.Scalar.STRING;
import static dev.tide.api.schema.Schema.Scalar.TEXT;
import static dev.tide.api.schema.Schema.list;
import static dev.tide.api.schema.Schema.map;
import static dev.tide.api.schema.Schema.obj;

import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import java.util.Map;

/**
 * The schema of every kind Tide serves, field names as the Kubernetes, Knative Serving and KServe APIs define them.
 * Parts of the Kubernetes pod API that Tide passes through without reading (affinity, lifecycle hooks, the rarer
 * volume sources) are {@link Schema.Scalar#ANY}: their insides are not checked. Fields Tide knows but does not act
 * on are still refused or warned about by the kinds' validators; this schema only says which fields exist.
 */
public final class Schemas {

    private Schemas() {
    }

    static final Schema.Obj OBJECT_META = obj("name", STRING, "generateName", STRING, "namespace", STRING, "selfLink", STRING,
            "uid", STRING, "resourceVersion", STRING, "generation", INT64, "creationTimestamp", ANY, "deletionTimestamp", ANY,
            "deletionGracePeriodSeconds", INT64, "labels", map(TEXT), "annotations", map(TEXT), "ownerReferences", list(ANY),
            "finalizers", list(STRING), "managedFields", list(ANY));

    private static final Schema.Obj KEY_TO_PATH = obj("key", STRING, "path", STRING, "mode", INT32);

    private static final Schema.Obj PROBE = obj(
            "exec", obj("command", list(STRING)),
            "httpGet", obj("path", STRING, "port", INT_OR_STRING, "host", STRING, "scheme", STRING,
                    "httpHeaders", list(obj("name", STRING, "value", STRING))),
            "tcpSocket", obj("port", INT_OR_STRING, "host", STRING),
            "grpc", obj("port", INT32, "service", STRING),
            "initialDelaySeconds", INT32, "timeoutSeconds", INT32, "periodSeconds", INT32, "successThreshold", INT32,
            "failureThreshold", INT32, "terminationGracePeriodSeconds", INT64);

    private static final Schema.Obj ENV_VAR = obj("name", STRING, "value", STRING, "valueFrom", obj(
            "fieldRef", obj("apiVersion", STRING, "fieldPath", STRING),
            "resourceFieldRef", obj("containerName", STRING, "resource", STRING, "divisor", QUANTITY),
            "configMapKeyRef", obj("name", STRING, "key", STRING, "optional", BOOLEAN),
            "secretKeyRef", obj("name", STRING, "key", STRING, "optional", BOOLEAN),
            "fileKeyRef", ANY));

    private static final Schema.Obj CONTAINER_SECURITY = obj("capabilities", obj("add", list(STRING), "drop", list(STRING)),
            "privileged", BOOLEAN, "seLinuxOptions", ANY, "windowsOptions", ANY, "runAsUser", INT64, "runAsGroup", INT64,
            "runAsNonRoot", BOOLEAN, "readOnlyRootFilesystem", BOOLEAN, "allowPrivilegeEscalation", BOOLEAN, "procMount", STRING,
            "seccompProfile", obj("type", STRING, "localhostProfile", STRING),
            "appArmorProfile", obj("type", STRING, "localhostProfile", STRING));

    static final Schema.Obj CONTAINER = obj("name", STRING, "image", STRING, "command", list(STRING), "args", list(STRING),
            "workingDir", STRING,
            "ports", list(obj("name", STRING, "hostPort", INT32, "containerPort", INT32, "protocol", STRING, "hostIP", STRING)),
            "envFrom", list(obj("prefix", STRING, "configMapRef", obj("name", STRING, "optional", BOOLEAN),
                    "secretRef", obj("name", STRING, "optional", BOOLEAN))),
            "env", list(ENV_VAR),
            "resources", obj("limits", map(QUANTITY), "requests", map(QUANTITY), "claims", list(obj("name", STRING, "request", STRING))),
            "resizePolicy", list(ANY), "restartPolicy", STRING,
            "volumeMounts", list(obj("name", STRING, "readOnly", BOOLEAN, "recursiveReadOnly", STRING, "mountPath", STRING,
                    "subPath", STRING, "mountPropagation", STRING, "subPathExpr", STRING)),
            "volumeDevices", list(ANY), "livenessProbe", PROBE, "readinessProbe", PROBE, "startupProbe", PROBE, "lifecycle", ANY,
            "terminationMessagePath", STRING, "terminationMessagePolicy", STRING, "imagePullPolicy", STRING,
            "securityContext", CONTAINER_SECURITY, "stdin", BOOLEAN, "stdinOnce", BOOLEAN, "tty", BOOLEAN);

    private static final Schema.Obj VOLUME = obj("name", STRING,
            "persistentVolumeClaim", obj("claimName", STRING, "readOnly", BOOLEAN),
            "emptyDir", obj("medium", STRING, "sizeLimit", QUANTITY),
            "configMap", obj("name", STRING, "items", list(KEY_TO_PATH), "defaultMode", INT32, "optional", BOOLEAN),
            "secret", obj("secretName", STRING, "items", list(KEY_TO_PATH), "defaultMode", INT32, "optional", BOOLEAN),
            "hostPath", obj("path", STRING, "type", STRING),
            "projected", ANY, "downwardAPI", ANY, "csi", ANY, "ephemeral", ANY, "image", ANY, "nfs", ANY, "iscsi", ANY,
            "awsElasticBlockStore", ANY, "gcePersistentDisk", ANY, "gitRepo", ANY, "glusterfs", ANY, "rbd", ANY, "flexVolume", ANY,
            "cinder", ANY, "cephfs", ANY, "flocker", ANY, "fc", ANY, "azureFile", ANY, "azureDisk", ANY, "vsphereVolume", ANY,
            "quobyte", ANY, "photonPersistentDisk", ANY, "portworxVolume", ANY, "scaleIO", ANY, "storageos", ANY);

    /** Kubernetes' PodSpec: what Knative's RevisionSpec and KServe's components embed. */
    static final Schema.Obj POD_SPEC = obj("volumes", list(VOLUME), "initContainers", list(CONTAINER), "containers", list(CONTAINER),
            "ephemeralContainers", list(ANY), "restartPolicy", STRING, "terminationGracePeriodSeconds", INT64,
            "activeDeadlineSeconds", INT64, "dnsPolicy", STRING, "nodeSelector", map(STRING), "serviceAccountName", STRING,
            "serviceAccount", STRING, "automountServiceAccountToken", BOOLEAN, "nodeName", STRING, "hostNetwork", BOOLEAN,
            "hostPID", BOOLEAN, "hostIPC", BOOLEAN, "shareProcessNamespace", BOOLEAN,
            "securityContext", obj("seLinuxOptions", ANY, "windowsOptions", ANY, "runAsUser", INT64, "runAsGroup", INT64,
                    "runAsNonRoot", BOOLEAN, "supplementalGroups", list(INT64), "supplementalGroupsPolicy", STRING, "fsGroup", INT64,
                    "sysctls", list(obj("name", STRING, "value", STRING)), "fsGroupChangePolicy", STRING, "seccompProfile", ANY,
                    "appArmorProfile", ANY, "seLinuxChangePolicy", STRING),
            "imagePullSecrets", list(obj("name", STRING)), "hostname", STRING, "subdomain", STRING, "affinity", ANY,
            "schedulerName", STRING,
            "tolerations", list(obj("key", STRING, "operator", STRING, "value", STRING, "effect", STRING, "tolerationSeconds", INT64)),
            "hostAliases", list(obj("ip", STRING, "hostnames", list(STRING))), "priorityClassName", STRING, "priority", INT32,
            "dnsConfig", ANY, "readinessGates", list(ANY), "runtimeClassName", STRING, "enableServiceLinks", BOOLEAN,
            "preemptionPolicy", STRING, "overhead", map(QUANTITY), "topologySpreadConstraints", list(ANY), "setHostnameAsFQDN", BOOLEAN,
            "os", obj("name", STRING), "hostUsers", BOOLEAN, "schedulingGates", list(ANY), "resourceClaims", list(ANY),
            "resources", ANY);

    static final Schema.Obj REVISION_SPEC = POD_SPEC.with("containerConcurrency", INT64, "timeoutSeconds", INT64,
            "responseStartTimeoutSeconds", INT64, "idleTimeoutSeconds", INT64);

    private static final Schema.Obj TEMPLATE = obj("metadata", OBJECT_META, "spec", REVISION_SPEC);

    private static final Schema TRAFFIC = list(obj("tag", STRING, "revisionName", STRING, "configurationName", STRING,
            "latestRevision", BOOLEAN, "percent", INT64, "url", STRING));

    /** KServe's ComponentExtensionSpec, embedded by the predictor, transformer and explainer with a PodSpec. */
    private static final Schema.Obj COMPONENT = POD_SPEC.with("minReplicas", INT32, "maxReplicas", INT32, "scaleTarget", INT32,
            "scaleMetric", STRING, "scaleMetricType", STRING, "containerConcurrency", INT64, "timeout", INT64,
            "canaryTrafficPercent", INT64, "logger", obj("url", STRING, "mode", STRING, "metadataHeaders", list(STRING),
                    "storage", ANY),
            "batcher", obj("maxBatchSize", INT32, "maxLatency", INT32, "timeout", INT32),
            "labels", map(TEXT), "annotations", map(TEXT), "deploymentStrategy", ANY, "autoScaling", ANY, "workerSpec", ANY);

    /** KServe's ModelSpec and the per-framework shortcuts (PredictorExtensionSpec): a container plus where the model is. */
    private static final Schema.Obj MODEL = CONTAINER.with("modelFormat", obj("name", STRING, "version", STRING), "runtime", STRING,
            "protocolVersion", STRING, "storageUri", STRING, "runtimeVersion", STRING,
            "storage", obj("key", STRING, "path", STRING, "parameters", map(STRING), "schemaPath", STRING));

    private static final Schema.Obj PREDICTOR = COMPONENT.with("model", MODEL, "sklearn", MODEL, "xgboost", MODEL, "tensorflow", MODEL,
            "pytorch", MODEL, "triton", MODEL, "onnx", MODEL, "pmml", MODEL, "lightgbm", MODEL, "paddle", MODEL, "huggingface", MODEL);

    private static final Schema.Obj EXPLAINER = COMPONENT.with("art", ANY, "alibi", ANY);

    private static Schema.Obj top(Object... fields) {
        return obj("apiVersion", STRING, "kind", STRING, "metadata", OBJECT_META, "status", ANY).with(fields);
    }

    private static final Map<ResourceType, Schema> BY_TYPE = Map.of(
            ResourceTypes.SERVICE, top("spec", obj("template", TEMPLATE, "traffic", TRAFFIC)),
            ResourceTypes.CONFIGURATION, top("spec", obj("template", TEMPLATE)),
            ResourceTypes.ROUTE, top("spec", obj("traffic", TRAFFIC)),
            ResourceTypes.REVISION, top("spec", REVISION_SPEC),
            ResourceTypes.INFERENCE_SERVICE, top("spec", obj("predictor", PREDICTOR, "transformer", COMPONENT, "explainer", EXPLAINER)),
            ResourceTypes.SECRET, top("data", map(STRING), "stringData", map(STRING), "type", STRING, "immutable", BOOLEAN),
            ResourceTypes.CONFIG_MAP, top("data", map(TEXT), "binaryData", map(STRING), "immutable", BOOLEAN),
            ResourceTypes.SERVICE_ACCOUNT, top("secrets", list(ANY), "imagePullSecrets", list(obj("name", STRING)),
                    "automountServiceAccountToken", BOOLEAN),
            // Read only (Tide's view of the replicas): published for kubectl explain, never admitted.
            ResourceTypes.POD, top("spec", POD_SPEC));

    private static final Schema.Obj CONDITION = obj("type", STRING, "status", STRING, "severity", STRING, "reason", STRING,
            "message", STRING, "lastTransitionTime", STRING);
    private static final Schema.Obj KNATIVE_STATUS = obj("observedGeneration", INT64, "conditions", list(CONDITION));
    private static final Schema TRAFFIC_STATUS = list(obj("tag", STRING, "revisionName", STRING, "configurationName", STRING,
            "latestRevision", BOOLEAN, "percent", INT64, "url", STRING));
    private static final Schema.Obj ROUTE_STATUS = KNATIVE_STATUS.with("url", STRING, "address", obj("url", STRING),
            "traffic", TRAFFIC_STATUS);
    private static final Schema.Obj CONTAINER_STATE = obj("waiting", obj("reason", STRING, "message", STRING),
            "running", obj("startedAt", STRING), "terminated", obj("exitCode", INT32, "signal", INT32, "reason", STRING,
                    "message", STRING, "startedAt", STRING, "finishedAt", STRING, "containerID", STRING));
    private static final Schema.Obj POD_STATUS = obj("phase", STRING, "conditions", list(obj("type", STRING, "status", STRING,
                    "lastProbeTime", STRING, "lastTransitionTime", STRING, "reason", STRING, "message", STRING)),
            "hostIP", STRING, "hostIPs", list(obj("ip", STRING)), "podIP", STRING, "podIPs", list(obj("ip", STRING)),
            "startTime", STRING, "containerStatuses", list(obj("name", STRING, "state", CONTAINER_STATE,
                    "lastState", CONTAINER_STATE, "ready", BOOLEAN, "started", BOOLEAN, "restartCount", INT32, "image", STRING,
                    "imageID", STRING, "containerID", STRING)));

    /**
     * What Tide writes in the status of {@code type}, for the API's OpenAPI documents ({@code kubectl explain
     * ksvc.status.traffic}); {@code null} for kinds without a status. Admission never checks a status against it: a
     * status is the controllers' to write, and what a user sends is replaced.
     */
    public static Schema.Obj statusOf(ResourceType type) {
        if (type == ResourceTypes.SERVICE) {
            return ROUTE_STATUS.with("latestCreatedRevisionName", STRING, "latestReadyRevisionName", STRING);
        } else if (type == ResourceTypes.CONFIGURATION) {
            return KNATIVE_STATUS.with("latestCreatedRevisionName", STRING, "latestReadyRevisionName", STRING);
        } else if (type == ResourceTypes.ROUTE) {
            return ROUTE_STATUS;
        } else if (type == ResourceTypes.REVISION) {
            return KNATIVE_STATUS.with("actualReplicas", INT32, "desiredReplicas", INT32);
        } else if (type == ResourceTypes.INFERENCE_SERVICE) {
            return KNATIVE_STATUS.with("url", STRING, "address", obj("url", STRING), "components", map(obj("url", STRING,
                    "latestCreatedRevision", STRING, "latestReadyRevision", STRING, "traffic", TRAFFIC_STATUS)));
        } else if (type == ResourceTypes.POD) {
            return POD_STATUS;
        }
        return null;
    }

    /** The schema of {@code type}. */
    public static Schema of(ResourceType type) {
        Schema s = BY_TYPE.get(type);
        if (s == null) {
            throw new IllegalArgumentException("no schema for " + type.groupResource());
        }
        return s;
    }
}
