package dev.tide.api.serving.v1;

import dev.tide.common.validation.FieldError;
import dev.tide.common.validation.FieldErrors;
import dev.tide.common.validation.Values;
import java.util.Map;
import java.util.Optional;

/**
 * Session affinity by cookie, with the annotations Alibaba Cloud's Knative uses on a Service (seed 003): requests
 * carrying the cookie go to the replica that set it while it lives.
 */
public final class AffinityAnnotations {

    public static final String PREFIX = "serving.knative.dev.alibabacloud/";
    /** {@code cookie} turns affinity on. */
    public static final String AFFINITY = PREFIX + "affinity";
    /** The cookie's name; default {@value #DEFAULT_COOKIE_NAME}. */
    public static final String COOKIE_NAME = PREFIX + "cookie-name";
    /** The cookie's lifetime in seconds; default 1800. */
    public static final String COOKIE_TIMEOUT = PREFIX + "cookie-timeout";
    public static final String DEFAULT_COOKIE_NAME = "tide-affinity";
    public static final long DEFAULT_COOKIE_TIMEOUT_SECONDS = 1800;

    /** Affinity settings: the cookie's name and lifetime. */
    public record Affinity(String cookieName, long maxAgeSeconds) {
    }

    private AffinityAnnotations() {
    }

    /** The keys Tide acts on, so they are not reported as vendor annotations it ignores. */
    public static boolean handles(String key) {
        return key.equals(AFFINITY) || key.equals(COOKIE_NAME) || key.equals(COOKIE_TIMEOUT);
    }

    /** The affinity these annotations ask for, or empty when off. Values were validated at admission. */
    public static Optional<Affinity> of(Map<String, String> annotations) {
        if (!"cookie".equals(annotations.get(AFFINITY))) {
            return Optional.empty();
        }
        String name = annotations.getOrDefault(COOKIE_NAME, DEFAULT_COOKIE_NAME);
        long timeout = Values.int32(annotations.getOrDefault(COOKIE_TIMEOUT, Long.toString(DEFAULT_COOKIE_TIMEOUT_SECONDS)), "",
                new FieldErrors()).map(Integer::longValue).orElse(DEFAULT_COOKIE_TIMEOUT_SECONDS);
        return Optional.of(new Affinity(name, timeout));
    }

    static void validate(Map<String, String> annotations, String path, FieldErrors errors) {
        String affinity = annotations.get(AFFINITY);
        if (affinity != null && !affinity.equals("cookie")) {
            errors.add(FieldError.invalidValue(affinity, path + "[" + AFFINITY + "]", "the only affinity is \"cookie\""));
        }
        String name = annotations.get(COOKIE_NAME);
        if (name != null && !name.matches("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+")) {
            errors.add(FieldError.invalidValue(name, path + "[" + COOKIE_NAME + "]", "a cookie name is a token: letters, digits and !#$%&'*+-.^_`|~"));
        }
        String timeout = annotations.get(COOKIE_TIMEOUT);
        if (timeout != null) {
            Values.int32(timeout, path + "[" + COOKIE_TIMEOUT + "]", errors).filter(t -> t < 1)
                    .ifPresent(t -> errors.add(FieldError.outOfBounds(t, 1, Integer.MAX_VALUE, path + "[" + COOKIE_TIMEOUT + "]")));
        }
    }
}
