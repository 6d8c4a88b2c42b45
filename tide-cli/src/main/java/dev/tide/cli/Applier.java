package dev.tide.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.api.ResourceTypes;
import dev.tide.api.UnservedKinds;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * {@code tide apply}: creates each object, or replaces the live object's labels, annotations and spec with the
 * manifest's, so what is applied is what runs (fields removed from the manifest go away). Prints kubectl's
 * {@code created / configured / unchanged} lines.
 */
final class Applier {

    private final ApiClient client;
    private final PrintStream out;
    private final PrintStream err;

    Applier(ApiClient client, PrintStream out, PrintStream err) {
        this.client = client;
        this.out = out;
        this.err = err;
    }

    /** Applies every manifest; returns how many failed. */
    int apply(List<ManifestFiles.Manifest> manifests, String defaultNamespace) {
        int failed = 0;
        for (ManifestFiles.Manifest m : manifests) {
            try {
                apply(m.object(), defaultNamespace);
            } catch (ApiClient.ApiError | IllegalArgumentException e) {
                err.println("error: " + m.source() + ": " + e.getMessage());
                failed++;
            }
        }
        return failed;
    }

    private void apply(ObjectNode manifest, String defaultNamespace) {
        String apiVersion = Meta.apiVersion(manifest);
        String kind = Meta.kind(manifest);
        ResourceType type = ResourceTypes.byApiVersionAndKind(apiVersion, kind)
                .orElseThrow(() -> new IllegalArgumentException(UnservedKinds.refusal(apiVersion, kind, Meta.name(manifest))));
        String namespace = Meta.namespace(manifest).isEmpty() ? defaultNamespace : Meta.namespace(manifest);
        String name = Meta.name(manifest);
        String what = type.singular() + "." + (type.group().isEmpty() ? "" : type.group() + "/") + name;
        if (type.group().isEmpty()) {
            what = type.singular() + "/" + name;
        }
        Optional<ObjectNode> live = name.isEmpty() ? Optional.empty() : client.get(type, namespace, name);
        if (live.isEmpty()) {
            ApiClient.Reply reply = client.create(type, namespace, manifest);
            warn(reply);
            out.println(what + " created");
            return;
        }
        // A controller may write the object's status between the read and the write (409): read again and retry,
        // as kubectl does, up to 5 more times.
        for (int attempt = 0; ; attempt++) {
            ObjectNode next = manifest.deepCopy();
            ObjectNode meta = Meta.metadata(next);
            meta.put("resourceVersion", Meta.resourceVersion(live.get()));
            meta.put("namespace", namespace);
            try {
                ApiClient.Reply reply = client.replace(type, namespace, name, next);
                warn(reply);
                boolean unchanged = Meta.resourceVersion(reply.body()).equals(Meta.resourceVersion(live.get()));
                out.println(what + (unchanged ? " unchanged" : " configured"));
                return;
            } catch (ApiClient.ApiError e) {
                if (e.code() != 409 || attempt == MAX_CONFLICT_RETRIES) {
                    throw e;
                }
                live = client.get(type, namespace, name);
                if (live.isEmpty()) {
                    throw e;
                }
            }
        }
    }

    static final int MAX_CONFLICT_RETRIES = 5;

    private void warn(ApiClient.Reply reply) {
        reply.warnings().forEach(w -> err.println("Warning: " + w));
    }

}
