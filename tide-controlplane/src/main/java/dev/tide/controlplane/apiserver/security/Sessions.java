package dev.tide.controlplane.apiserver.security;

import java.util.Optional;

/**
 * The dashboard's browser sessions: a browser cannot send a bearer token, so the dashboard's login trades one for a
 * session cookie ({@value #COOKIE}), which the guard honours on the dashboard's paths only.
 */
@FunctionalInterface
public interface Sessions {

    /** The cookie's name. */
    String COOKIE = "tide-session";

    /** The identity of a live session, or empty when {@code id} is unknown or expired. */
    Optional<Identity> identity(String id);

    Sessions NONE = id -> Optional.empty();
}
