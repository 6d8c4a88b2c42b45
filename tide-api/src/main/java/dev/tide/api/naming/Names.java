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
}
