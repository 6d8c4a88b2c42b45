package dev.tide.cli.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * A kubeconfig's one context, as kubectl reads it: the server, the authority to trust, the bearer token.
 *
 * @param server      the API's URL
 * @param token       a bearer token, or {@code null}
 * @param caPem       the pinned authority (PEM), or {@code null} to trust the JDK's
 * @param namespace   the context's namespace, or {@code null}: what commands use without {@code -n}, as kubectl does
 */
public record Kubeconfig(URI server, String token, String caPem, String namespace) {

    /** The kubeconfig Tide writes for its admin: cluster, user and context all named {@code tide}. */
    public String toYaml() {
        ObjectNode root = Json.object();
        root.put("apiVersion", "v1").put("kind", "Config");
        ObjectNode cluster = root.putArray("clusters").addObject().put("name", "tide").putObject("cluster");
        cluster.put("server", server.toString());
        if (caPem != null) {
            cluster.put("certificate-authority-data", Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII)));
        }
        ObjectNode user = root.putArray("users").addObject().put("name", "tide-admin").putObject("user");
        user.put("token", token);
        ObjectNode ctx = root.putArray("contexts").addObject().put("name", "tide").putObject("context");
        ctx.put("cluster", "tide").put("user", "tide-admin").put("namespace", namespace == null ? "default" : namespace);
        root.put("current-context", "tide");
        root.putObject("preferences");
        return Json.writeYaml(root);
    }

    /** Reads {@code file}'s current context; empty when there is no such file. */
    public static Optional<Kubeconfig> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = Json.YAML.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read kubeconfig " + file + ": " + e.getMessage(), e);
        }
        String current = Json.text(root, "current-context");
        JsonNode ctx = named(root.path("contexts"), current).path("context");
        if (current == null || ctx.isMissingNode()) {
            throw new IllegalArgumentException("kubeconfig " + file + ": current-context \"" + current + "\" is not among its contexts");
        }
        JsonNode cluster = named(root.path("clusters"), Json.text(ctx, "cluster")).path("cluster");
        JsonNode user = named(root.path("users"), Json.text(ctx, "user")).path("user");
        String server = Json.text(cluster, "server");
        if (server == null) {
            throw new IllegalArgumentException("kubeconfig " + file + ": the cluster of context \"" + current + "\" has no server");
        }
        String ca = null;
        try {
            if (Json.text(cluster, "certificate-authority-data") != null) {
                ca = new String(Base64.getDecoder().decode(Json.text(cluster, "certificate-authority-data")), StandardCharsets.US_ASCII);
            } else if (Json.text(cluster, "certificate-authority") != null) {
                ca = Files.readString(file.resolveSibling(Json.text(cluster, "certificate-authority")));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("kubeconfig " + file + ": cannot read the cluster's certificate authority: " + e.getMessage(), e);
        }
        if (cluster.path("insecure-skip-tls-verify").asBoolean(false)) {
            // Refused rather than ignored: ignored, it would fail later as a TLS error that does not name it.
            throw new IllegalArgumentException("kubeconfig " + file + ": insecure-skip-tls-verify is not supported by tide; pin the "
                    + "server's certificate with certificate-authority-data (the kubeconfig Tide writes has it)");
        }
        return Optional.of(new Kubeconfig(URI.create(server), Json.text(user, "token"), ca, Json.text(ctx, "namespace")));
    }

    private static JsonNode named(JsonNode list, String name) {
        for (JsonNode n : list) {
            if (name != null && name.equals(Json.text(n, "name"))) {
                return n;
            }
        }
        return Json.object();
    }
}
