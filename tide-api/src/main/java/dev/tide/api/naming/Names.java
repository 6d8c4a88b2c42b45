package dev.tide.api.naming;

import java.util.regex.Pattern;

/**
 * Child-object names and hostnames, shared by the control plane (which creates the objects) and the data
 * plane (which routes to them), so the two can never disagree.
 */
public final class Names {

    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_1123_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private Names() {
    }

    /**
     * The name of a Configuration's revision for one of its generations: {@code NAME-00001}, {@code NAME-00002},
     * as Knative names them.
     */
    public static String revision(String configuration, long generation) {
        return configuration + "-" + String.format("%05d", generation);
    }

    /** {@code NAME.NAMESPACE.DOMAIN}: the host a Route (and its Service) answers on. */
    public static String host(String name, String namespace, String domain) {
        return name + "." + namespace + "." + domain;
    }

    /** {@code TAG-NAME.NAMESPACE.DOMAIN}: the host of one tagged traffic target. */
    public static String tagHost(String tag, String name, String namespace, String domain) {
        return host(tag + "-" + name, namespace, domain);
    }

    /** The Knative Service that serves an InferenceService component, e.g. {@code flowers-predictor}. */
    public static String component(String inferenceService, String component) {
        return inferenceService + "-" + component;
    }

    /** A DNS-1035 label: lower-case letters, digits and '-', starting with a letter, at most 63 characters. */
    public static boolean isDns1035Label(String s) {
        return s.length() <= 63 && DNS_1035_LABEL.matcher(s).matches();
    }

    public static boolean isDns1123Label(String s) {
        return s.length() <= 63 && DNS_1123_LABEL.matcher(s).matches();
    }

    public static boolean isDns1123Subdomain(String s) {
        return s.length() <= 253 && DNS_1123_SUBDOMAIN.matcher(s).matches();
    }

    /** The name part of a qualified name and a label value: letters, digits, '-', '_' and '.', alphanumeric at both ends. */
    private static final Pattern NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

    /**
     * A label or annotation key as apimachinery's {@code IsQualifiedName} checks it: an optional DNS-1123 subdomain
     * prefix (at most 253 characters) and '/', then a name of at most 63: {@code app},
     * {@code serving.knative.dev/service}; not {@code a/b/c}, {@code -app}.
     */
    public static boolean isQualifiedName(String key) {
        int slash = key.lastIndexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !isDns1123Subdomain(prefix)) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && NAME_PART.matcher(name).matches();
    }

    /** A label value: empty, or at most 63 characters of a qualified name's name part. */
    public static boolean isLabelValue(String v) {
        return v.isEmpty() || v.length() <= 63 && NAME_PART.matcher(v).matches();
    }
}
