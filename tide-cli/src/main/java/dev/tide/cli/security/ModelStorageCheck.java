package dev.tide.cli.security;

import dev.tide.controlplane.serving.ModelServing;
import dev.tide.modelserver.storage.S3Fetcher;
import dev.tide.modelserver.storage.StoragePolicy;
import dev.tide.modelserver.storage.StorageUri;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The operator's model storage rule ({@link StoragePolicy}) as the control plane checks it before starting a model
 * server replica, so that a refusal is the revision's condition ({@code StorageRefused}) and nothing is fetched: local
 * paths, IP literals, {@code localhost} and Tide's own ports, all without a DNS lookup. A name that resolves to a
 * refused address is refused by the model server when it fetches (the replica exits naming the rule). Tide's own ports are read
 * when asked: they are known once the API and the ingress are bound, which is before any revision is configured.
 *
 * @param roots        {@code --model-root} directories (the defaults when none was given)
 * @param volumes      the {@code --volume} directories, which {@code pvc://} URIs read and so are roots too
 * @param base         what relative {@code file://} paths are relative to
 * @param tidePorts    the API and ingress ports, once bound
 */
public record ModelStorageCheck(List<Path> roots, Map<String, Path> volumes, Path base, boolean allowPrivateHosts,
                                Supplier<Set<Integer>> tidePorts) implements ModelServing.StorageCheck {

    public ModelStorageCheck {
        roots = List.copyOf(roots);
        volumes = Map.copyOf(volumes);
    }

    StoragePolicy policy() {
        List<Path> all = new ArrayList<>(roots);
        volumes.values().forEach(v -> all.add(v.toAbsolutePath().normalize()));
        return new StoragePolicy(all, allowPrivateHosts, tidePorts.get());
    }

    @Override
    public Optional<String> refusal(String storageUri, Map<String, String> env) {
        StorageUri parsed;
        try {
            parsed = StorageUri.parse(storageUri, volumes, base);
        } catch (IllegalArgumentException e) {
            // Malformed URIs are reported by the model server, which parses them the same way.
            return Optional.empty();
        }
        // Runs in the scaling loop, whose thread also fires request deadlines: no DNS here. Names are resolved and
        // checked by the model server, just before it fetches.
        return policy().refusal(parsed, S3Fetcher.Settings.fromEnv(env), StoragePolicy.Resolver.LITERALS_ONLY);
    }

    @Override
    public List<String> args() {
        return policy().args();
    }
}
