package dev.tide.modelserver.storage;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where a model lives, parsed from an InferenceService's {@code storageUri}.
 *
 * <ul>
 *   <li>{@code file:///models/x}, {@code /models/x}: a local directory or file, served in place; {@code file://./x} (a
 *       Tide extension for local use) is relative to the Tide server's working directory;</li>
 *   <li>{@code pvc://NAME/sub/path}: a path in a named local volume from Tide's config, served in place;</li>
 *   <li>{@code http(s)://host/model.onnx}, {@code .../model.tar.gz}, {@code .../model.zip}: fetched into the cache,
 *       archives unpacked;</li>
 *   <li>{@code s3://bucket/prefix}: every object under the prefix, fetched into the cache.</li>
 * </ul>
 */
public sealed interface StorageUri {

    /** The URI as written, the cache's key. */
    String raw();

    record Local(String raw, Path path) implements StorageUri {
    }

    record Http(String raw, URI uri) implements StorageUri {
    }

    record S3(String raw, String bucket, String prefix) implements StorageUri {
    }

    /**
     * @param volumes the named local volumes {@code pvc://} may name
     * @throws IllegalArgumentException naming the rule the URI breaks
     */
    static StorageUri parse(String raw, Map<String, Path> volumes) {
        return parse(raw, volumes, Path.of("").toAbsolutePath());
    }

    /** @param base what a relative {@code file://} path is relative to */
    static StorageUri parse(String raw, Map<String, Path> volumes, Path base) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("storageUri is empty");
        }
        if (raw.startsWith("/")) {
            return new Local(raw, Path.of(raw));
        }
        int colon = raw.indexOf("://");
        if (colon < 0) {
            throw new IllegalArgumentException("storageUri \"" + raw + "\" has no scheme; Tide reads file://, pvc://, http://, "
                    + "https://, s3:// and absolute paths");
        }
        String scheme = raw.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = raw.substring(colon + 3);
        return switch (scheme) {
            case "file" -> rest.startsWith("/") ? new Local(raw, Path.of(URI.create(raw.replace(" ", "%20")).getPath()))
                    : new Local(raw, base.resolve(rest).normalize());
            case "pvc" -> {
                int slash = rest.indexOf('/');
                String name = slash < 0 ? rest : rest.substring(0, slash);
                Path root = volumes.get(name);
                if (root == null) {
                    throw new IllegalArgumentException("storageUri \"" + raw + "\": no local volume named \"" + name
                            + "\"; declare it with tide server --volume " + name + "=DIR (declared: " + volumes.keySet() + ")");
                }
                String sub = slash < 0 ? "" : rest.substring(slash + 1);
                Path p = root.resolve(sub).normalize();
                if (!p.startsWith(root.normalize())) {
                    throw new IllegalArgumentException("storageUri \"" + raw + "\" leaves its volume");
                }
                yield new Local(raw, p);
            }
            case "http", "https" -> new Http(raw, URI.create(raw));
            case "s3" -> {
                int slash = rest.indexOf('/');
                yield new S3(raw, slash < 0 ? rest : rest.substring(0, slash), slash < 0 ? "" : rest.substring(slash + 1));
            }
            default -> throw new IllegalArgumentException("storageUri \"" + raw + "\": scheme " + scheme
                    + ":// is not one Tide reads (file, pvc, http, https, s3)");
        };
    }
}
