package dev.tide.api;

import java.util.List;

/**
 * One kind of object Tide serves, described the way Kubernetes discovery describes it.
 *
 * @param group      API group, empty for the core group ({@code v1} Secrets and ConfigMaps)
 * @param version    API version within the group
 * @param kind       the kind, e.g. {@code Service}
 * @param plural     the resource name in URLs, e.g. {@code services}
 * @param shortNames kubectl short names, e.g. {@code ksvc}
 * @param namespaced whether objects live in a namespace (all of Tide's do)
 */
public record ResourceType(String group, String version, String kind, String plural, List<String> shortNames,
                           boolean namespaced) {

    public ResourceType {
        shortNames = List.copyOf(shortNames);
    }

    /** {@code serving.knative.dev/v1}, or {@code v1} for the core group. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code services.serving.knative.dev}, or {@code secrets} for the core group: how Kubernetes names it in errors. */
    public String groupResource() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** The lower-case singular name kubectl derives from the kind. */
    public String singular() {
        return kind.toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether {@code name} (any case) is this type's plural, singular, kind or a short name. */
    public boolean matches(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.equals(plural) || n.equals(singular()) || shortNames.contains(n)
                || n.equals(groupResource()) || n.equals(singular() + "." + group);
    }
}
