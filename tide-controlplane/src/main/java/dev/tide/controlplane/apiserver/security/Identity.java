package dev.tide.controlplane.apiserver.security;

import java.util.List;

/**
 * Who a request comes from once authenticated.
 *
 * @param user      the user name (a token file's second column), shown in refusals
 * @param groups    as the token file gives them
 * @param role      what the identity may do
 * @param namespace the one namespace it may touch, or {@code null} for all (a {@code tide:admin:NS} group)
 */
public record Identity(String user, List<String> groups, Role role, String namespace) {

    /** Anyone on a loopback-only API without a token: the single-machine default, guarded against browsers. */
    public static final Identity LOOPBACK = new Identity("system:anonymous-loopback", List.of(), Role.ADMIN, null);

    /** Anyone, on the paths that need no credentials ({@link Authorizer#isPublic}). */
    public static final Identity ANONYMOUS = new Identity("system:anonymous", List.of("system:unauthenticated"), Role.VIEW, null);

    public Identity {
        groups = List.copyOf(groups);
    }

    /** Whether it may act in every namespace. */
    public boolean clusterWide() {
        return namespace == null;
    }
}
