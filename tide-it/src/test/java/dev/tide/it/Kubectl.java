package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real kubectl, pointed at a Tide server, with its own discovery cache so no test sees another's. Tests fail
 * with a clear message when kubectl is not installed.
 */
final class Kubectl {

    private final String server;
    private final Path cacheDir;

    Kubectl(String server, Path cacheDir) {
        this.server = server;
        this.cacheDir = cacheDir;
    }

    static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "kubectl");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError("kubectl not found on PATH: Tide's integration tests drive the API with the real kubectl "
                + "(1.27 to 1.33). Install it (e.g. the kubectl package from Kubernetes' apt repository, or Google Cloud "
                + "SDK's kubectl) and run the tests again.");
    }

    /** Lets revisions start with zero replicas (config-autoscaler's allow-zero-initial-scale), as Knative allows. */
    void allowZeroInitialScale() {
        apply("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: config-autoscaler
                  namespace: knative-serving
                data:
                  allow-zero-initial-scale: "true"
                """);
    }

    Exec.Result run(String... args) {
        return withInput(null, args);
    }

    /** Runs with {@code stdin} on standard input (for {@code apply -f -}). */
    Exec.Result withInput(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(binary(), "--server", server, "--cache-dir", cacheDir.toString()));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, stdin, 60);
    }

    /** A kubectl that keeps running ({@code get -w}, {@code logs -f}): its output lines as they come, until closed. */
    static final class Streaming implements AutoCloseable {
        private final Process process;
        private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();

        Streaming(Process process) {
            this.process = process;
            Thread.ofVirtual().start(() -> {
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8))) {
                    for (String l = in.readLine(); l != null; l = in.readLine()) {
                        lines.add(l);
                    }
                } catch (java.io.IOException ignored) {
                    // closed
                }
            });
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        boolean alive() {
            return process.isAlive();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** Starts kubectl with {@code args}, its standard error sent with its output. */
    Streaming stream(String... args) {
        List<String> cmd = new ArrayList<>(List.of(binary(), "--server", server, "--cache-dir", cacheDir.toString()));
        cmd.addAll(List.of(args));
        try {
            return new Streaming(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs and asserts success, returning stdout. */
    String ok(String... args) {
        Exec.Result r = run(args);
        assertThat(r.rc()).as("kubectl %s\n%s", String.join(" ", args), r).isZero();
        return r.out();
    }

    String apply(String yaml) {
        Exec.Result r = withInput(yaml, "apply", "-f", "-");
        assertThat(r.rc()).as("kubectl apply\n%s", r).isZero();
        return r.out() + r.err();
    }
}
