package dev.tide.controlplane.apiserver.security;

/**
 * What an identity may do, as Kubernetes' default ClusterRoles {@code admin} and {@code view} allow it.
 *
 * <ul>
 *   <li>{@link #ADMIN}: every verb on every resource (creating a Service runs its {@code command}).</li>
 *   <li>{@link #VIEW}: get, list and watch, but no Secrets at all (Kubernetes' {@code view} role leaves them out, since
 *       a Secret's data is the credential itself); no dashboard stress tests.</li>
 * </ul>
 */
public enum Role {
    ADMIN,
    VIEW;

    /**
     * The role a token file's groups give: {@code system:masters}, {@code tide:admin} or {@code tide:admin:NAMESPACE}
     * give admin, {@code tide:view} or {@code tide:view:NAMESPACE} view; the strongest wins.
     */
    static Role ofGroup(String group) {
        if (group.equals("system:masters") || group.equals("tide:admin") || group.startsWith("tide:admin:")) {
            return ADMIN;
        }
        if (group.equals("tide:view") || group.startsWith("tide:view:")) {
            return VIEW;
        }
        return null;
    }
}
