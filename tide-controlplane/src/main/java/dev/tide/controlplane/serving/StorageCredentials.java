package dev.tide.controlplane.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * S3 credentials for a model server, found the way KServe's storage initializer finds them: the revision's
 * {@code serviceAccountName} names a ServiceAccount, whose {@code secrets} list the Secrets to look at; the first Secret
 * holding {@code AWS_ACCESS_KEY_ID} gives the keys, and {@code serving.kserve.io/s3-*} annotations (on that Secret,
 * else on the ServiceAccount) give the endpoint, scheme and region. The result is the environment the model server's
 * S3 fetcher reads: {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code S3_ENDPOINT},
 * {@code S3_USE_HTTPS}, {@code AWS_REGION}.
 *
 * <p>Example: ServiceAccount {@code sa} with {@code secrets: [{name: s3creds}]}, Secret {@code s3creds} annotated
 * {@code serving.kserve.io/s3-endpoint: minio:9000} and {@code s3-usehttps: "0"} with both keys gives
 * {@code S3_ENDPOINT=minio:9000, S3_USE_HTTPS=0} and the two keys.
 */
final class StorageCredentials {

    static final String S3_ENDPOINT = "serving.kserve.io/s3-endpoint";
    static final String S3_USE_HTTPS = "serving.kserve.io/s3-usehttps";
    static final String S3_REGION = "serving.kserve.io/s3-region";
    static final String S3_ANONYMOUS = "serving.kserve.io/s3-useanoncredential";
    private static final String ACCESS_KEY = "AWS_ACCESS_KEY_ID";
    private static final String SECRET_KEY = "AWS_SECRET_ACCESS_KEY";

    private StorageCredentials() {
    }

    /**
     * Adds the credentials of the revision's service account to {@code env}.
     *
     * @return why they cannot be resolved (a missing ServiceAccount or Secret), or empty when done or when the
     *         revision names no service account
     */
    static Optional<ReplicaSpecs.NotRunnable> resolve(JsonNode revision, Function<String, Optional<? extends JsonNode>> serviceAccounts,
                                                      Function<String, Optional<? extends JsonNode>> secrets, Map<String, String> env) {
        String saName = Json.text(revision.path("spec"), "serviceAccountName");
        if (saName == null || saName.isEmpty()) {
            return Optional.empty();
        }
        Optional<? extends JsonNode> sa = serviceAccounts.apply(saName);
        if (sa.isEmpty()) {
            return Optional.of(new ReplicaSpecs.NotRunnable("ServiceAccountMissing",
                    "spec.serviceAccountName: ServiceAccount \"" + saName + "\" not found"));
        }
        Map<String, String> settings = new LinkedHashMap<>(Meta.annotations(sa.get()));
        Map<String, String> found = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode ref : sa.get().path("secrets")) {
            String secretName = Json.text(ref, "name");
            Optional<? extends JsonNode> secret = secrets.apply(secretName);
            if (secret.isEmpty()) {
                return Optional.of(new ReplicaSpecs.NotRunnable("SecretMissing", "ServiceAccount \"" + saName + "\" secrets["
                        + i + "]: Secret \"" + secretName + "\" not found"));
            }
            JsonNode data = secret.get().path("data");
            if (data.hasNonNull(ACCESS_KEY)) {
                settings.putAll(Meta.annotations(secret.get()));
                found.put(ACCESS_KEY, decode(data.get(ACCESS_KEY)));
                if (data.hasNonNull(SECRET_KEY)) {
                    found.put(SECRET_KEY, decode(data.get(SECRET_KEY)));
                }
                break;
            }
            i++;
        }
        if ("true".equalsIgnoreCase(settings.get(S3_ANONYMOUS))) {
            found.clear(); // KServe: anonymous requests even when keys are given
        }
        copy(settings, S3_ENDPOINT, found, "S3_ENDPOINT");
        copy(settings, S3_USE_HTTPS, found, "S3_USE_HTTPS");
        copy(settings, S3_REGION, found, "AWS_REGION");
        found.forEach(env::putIfAbsent); // what the container's own env says wins
        return Optional.empty();
    }

    private static void copy(Map<String, String> from, String annotation, Map<String, String> to, String variable) {
        String v = from.get(annotation);
        if (v != null && !v.isEmpty()) {
            to.put(variable, v);
        }
    }

    private static String decode(JsonNode base64) {
        return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
    }
}
