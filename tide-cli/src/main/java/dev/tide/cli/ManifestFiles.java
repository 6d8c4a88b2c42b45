package dev.tide.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Manifests;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads manifests from {@code -f} arguments: a file, a directory of {@code .yaml/.yml/.json} files, or {@code -}. */
final class ManifestFiles {

    /** A manifest and the file it came from, for messages. */
    record Manifest(ObjectNode object, String source) {
    }

    private ManifestFiles() {
    }

    static List<Manifest> read(List<String> args, boolean recursive, InputStream stdin) {
        List<Manifest> out = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("-")) {
                try {
                    String text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
                    Manifests.parse(text, "<stdin>").forEach(o -> out.add(new Manifest(o, "<stdin>")));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                continue;
            }
            Path p = Path.of(arg);
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("the path \"" + arg + "\" does not exist");
            }
            for (Path f : files(p, recursive)) {
                try {
                    String text = Files.readString(f);
                    Manifests.parse(text, f.toString()).forEach(o -> out.add(new Manifest(o, f.toString())));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + f, e);
                }
            }
        }
        return out;
    }

    private static List<Path> files(Path p, boolean recursive) {
        if (!Files.isDirectory(p)) {
            return List.of(p);
        }
        try (Stream<Path> s = recursive ? Files.walk(p) : Files.list(p)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml") || f.toString().endsWith(".json"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + p, e);
        }
    }
}
