package dev.tide.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
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

    private final List<String> args;
    private Path dir;
    private TideProcess tide;
    private Kubectl kubectl;

    /** Replicas as the test's own user ({@link TideProcess#start(Path)}). */
    TideServerExtension() {
        this(TideProcess.AS_TEST_USER);
    }

    /** @param args every flag after {@code tide server --api-port 0 --http-port 0 --data-dir DIR} */
    private TideServerExtension(List<String> args) {
        this.args = List.copyOf(args);
    }

    /** Replicas as the test's own user, and {@code args}. */
    static TideServerExtension with(String... args) {
        List<String> all = new java.util.ArrayList<>(TideProcess.AS_TEST_USER);
        all.addAll(List.of(args));
        return new TideServerExtension(all);
    }

    /** Tide with its shipped defaults and {@code args}, replicas run as the default replica user included. */
    static TideServerExtension asShipped(String... args) {
        return new TideServerExtension(List.of(args));
    }

    /** The data directory. */
    Path dataDir() {
        return dir.resolve("data");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("tide-it-");
        tide = TideProcess.start(Files.createDirectories(dir.resolve("data")), args, java.util.Map.of());
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

    /** What the server has printed so far. */
    List<String> output() {
        return tide.output();
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
