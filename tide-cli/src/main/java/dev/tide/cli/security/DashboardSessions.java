package dev.tide.cli.security;

import dev.tide.common.time.Ticker;
import dev.tide.controlplane.apiserver.security.Identity;
import dev.tide.controlplane.apiserver.security.Sessions;
import dev.tide.controlplane.apiserver.security.Tokens;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's browser sessions, made by its login from a valid token and kept in memory (a restart logs browsers
 * out). Each lasts {@link #TTL} from its login.
 *
 * <p>Threading: any request thread; the map is concurrent and entries are immutable.
 */
public final class DashboardSessions implements Sessions {

    /** How long a login lasts. */
    public static final Duration TTL = Duration.ofHours(12);
    /** At most this many live sessions; the login refuses more (each is a person's browser, not a client's request). */
    static final int MAX = 10_000;

    private record Session(Identity identity, long expiresNanos) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Ticker ticker;

    public DashboardSessions(Ticker ticker) {
        this.ticker = ticker;
    }

    /** A new session for {@code identity}: its id, for the cookie; empty when too many are live. */
    public Optional<String> create(Identity identity) {
        long now = ticker.nanos();
        sessions.values().removeIf(s -> s.expiresNanos() - now <= 0);
        if (sessions.size() >= MAX) {
            return Optional.empty();
        }
        String id = Tokens.generate();
        sessions.put(id, new Session(identity, now + TTL.toNanos()));
        return Optional.of(id);
    }

    @Override
    public Optional<Identity> identity(String id) {
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (s.expiresNanos() - ticker.nanos() <= 0) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        return Optional.of(s.identity());
    }
}
