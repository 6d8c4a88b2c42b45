package dev.tide.controlplane.apiserver.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer tokens and who they stand for: kube-apiserver's {@code --token-auth-file} format (CSV, one token a line:
 * {@code token,user,uid,"group1,group2"}), plus the admin token Tide generates. Tokens are kept only as SHA-256
 * digests, so a lookup compares digests and a heap dump holds no token.
 */
public final class Tokens {

    private final Map<String, Identity> byDigest;

    private Tokens(Map<String, Identity> byDigest) {
        this.byDigest = Map.copyOf(byDigest);
    }

    public static Tokens none() {
        return new Tokens(Map.of());
    }

    /** {@code this} plus {@code token} for {@code identity}. */
    public Tokens with(String token, Identity identity) {
        Map<String, Identity> m = new HashMap<>(byDigest);
        m.put(digest(token), identity);
        return new Tokens(m);
    }

    public Optional<Identity> authenticate(String token) {
        return token == null || token.isEmpty() ? Optional.empty() : Optional.ofNullable(byDigest.get(digest(token)));
    }

    /**
     * Parses a token file. A line's groups decide its role ({@link Role#ofGroup}); a line whose groups give none is an
     * error, as is a short line or a repeated token, each naming the line.
     *
     * @param source names the file in errors
     */
    public static Tokens parseCsv(String text, String source) {
        Map<String, Identity> m = new HashMap<>();
        List<String> errors = new ArrayList<>();
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> cols = csv(line);
            String where = source + ":" + (i + 1);
            if (cols.size() < 3 || cols.get(0).isEmpty() || cols.get(1).isEmpty()) {
                errors.add(where + ": expected token,user,uid[,\"group1,group2\"]");
                continue;
            }
            List<String> groups = cols.size() > 3 && !cols.get(3).isBlank() ? List.of(cols.get(3).split(",")) : List.of();
            Role role = null;
            String namespace = null;
            boolean scopedOnly = true;
            for (String g : groups) {
                Role r = Role.ofGroup(g.strip());
                if (r == null) {
                    continue;
                }
                String[] parts = g.strip().split(":", 3);
                if (parts.length == 3) {
                    namespace = parts[2];
                } else {
                    scopedOnly = false;
                }
                role = role == null || r == Role.ADMIN ? r : role;
            }
            if (role == null) {
                errors.add(where + ": user \"" + cols.get(1) + "\" has no Tide role; give it one of the groups system:masters, "
                        + "tide:admin, tide:view, tide:admin:NAMESPACE or tide:view:NAMESPACE");
                continue;
            }
            if (m.put(digest(cols.get(0)), new Identity(cols.get(1), groups, role, scopedOnly ? namespace : null)) != null) {
                errors.add(where + ": this token is already given to another line");
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        return new Tokens(m);
    }

    /** One CSV line: commas split, double quotes group (a doubled quote is a quote). */
    private static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString().strip());
        return out;
    }

    /**
     * A new random secret, 256 bits as URL-safe base64 (43 characters): Tide's admin token, the dashboard page's
     * secret, a dashboard session's id.
     */
    public static String generate() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
