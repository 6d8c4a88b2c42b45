package dev.tide.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Owns a real {@code tide server} process for a test class: started on free ports before the class's tests, with a
 * fresh data directory and a kubectl with its own discovery cache, stopped (SIGTERM) and cleaned up after them.
 * Register it with {@code @RegisterExtension static final TideServerExtension TIDE = new TideServerExtension();}.
 */
final class TideServerExtension implements BeforeAllCallback, AfterAllCallback {

    private Path dir;
    private TideProcess tide;
    private Kubectl kubectl;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("tide-it-");
        tide = TideProcess.start(Files.createDirectories(dir.resolve("data")));
        kubectl = new Kubectl(tide.url(), Files.createDirectories(dir.resolve("kube-cache")));
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        try {
            tide.close();
        } finally {
            delete(dir);
        }
    }

    /** The API, for kubectl and the tide CLI. */
    String url() {
        return tide.url();
    }

    /** The ingress, where requests to services go. */
    String ingress() {
        return tide.ingress();
    }

    Kubectl kubectl() {
        return kubectl;
    }

    /** A scratch directory that lives as long as the server. */
    Path dir() {
        return dir;
    }

    private static void delete(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
