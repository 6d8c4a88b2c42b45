package dev.tide.common.text;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One line for a user out of an exception and its causes. Many JDK exceptions carry no message (an HTTP client's
 * {@code ConnectException}, a {@code ClosedChannelException}), so printing {@code getMessage()} alone gives
 * {@code null}; this names such a link by its class and adds what its causes say. Worked example: a
 * {@code ConnectException(null)} caused by {@code ConnectException("Connection refused")} reads
 * {@code "could not connect (ConnectException): Connection refused"}.
 */
public final class Failures {

    private Failures() {
    }

    public static String describe(Throwable t) {
        Set<String> parts = new LinkedHashSet<>();
        List<Throwable> seen = new ArrayList<>();
        String firstName = null;
        for (Throwable e = t; e != null && !seen.contains(e) && seen.size() < 8; e = e.getCause()) {
            seen.add(e);
            if (firstName == null && e.getMessage() == null) {
                firstName = plain(e);
            }
            String m = e.getMessage();
            if (m != null && !m.isBlank() && parts.stream().noneMatch(p -> p.contains(m))) {
                parts.add(m.strip());
            }
        }
        String text = String.join(": ", parts);
        if (firstName == null) {
            return text;
        }
        return text.isEmpty() ? firstName : firstName + ": " + text;
    }

    /** What a messageless exception means, for the ones the JDK's clients throw bare. */
    private static String plain(Throwable e) {
        String name = e.getClass().getSimpleName();
        return switch (e) {
            case java.net.ConnectException c -> "could not connect (" + name + ")";
            case java.nio.channels.ClosedChannelException c -> "the connection closed (" + name + ")";
            case java.net.http.HttpTimeoutException c -> "timed out (" + name + ")";
            default -> name;
        };
    }
}
