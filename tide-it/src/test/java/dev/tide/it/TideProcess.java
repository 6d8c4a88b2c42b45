package dev.tide.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code tide server} process on a free port with its own data directory. Closing it sends SIGTERM and
 * waits; {@link #kill()} sends SIGKILL, as a crash would.
 */
final class TideProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("API listening on (https?://127\\.0\\.0\\.1:\\d+)");
    private static final Pattern INGRESS = Pattern.compile("ingress listening on (http://[0-9.]+:\\d+)");

    private final Process process;
    private final String url;
    private volatile String ingress;
    /** Every line printed so far; the reader thread keeps appending while the process runs. */
    private final ConcurrentLinkedQueue<String> output;

    private TideProcess(Process process, String url, ConcurrentLinkedQueue<String> output) {
        this.process = process;
        this.url = url;
        this.output = output;
    }

    /**
     * As the integration tests run Tide: fixture programs live in the build tree (under a root user's home in CI), which
     * the unprivileged user a root Tide runs replicas as cannot read, so replicas keep the test's user.
     */
    static TideProcess start(Path dataDir) {
        return start(dataDir, AS_TEST_USER, java.util.Map.of());
    }

    /** The flag that keeps replicas the test's user under a root Tide ({@link #start(Path)} says why). */
    static final List<String> AS_TEST_USER = List.of("--replica-user", "root");

    /**
     * @param args flags after {@code tide server --api-port 0 --http-port 0 --data-dir DIR}
     * @param env  variables added to the server's environment
     */
    static TideProcess start(Path dataDir, List<String> args, java.util.Map<String, String> env) {
        try {
            List<String> cmd = new java.util.ArrayList<>(Exec.tideCommand("server", "--api-port", "0", "--http-port", "0",
                    "--data-dir", dataDir.toString()));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> url = new CompletableFuture<>();
            CompletableFuture<String> ingress = new CompletableFuture<>();
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            Thread reader = new Thread(() -> {
                try {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        seen.add(line);
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            url.complete(m.group(1));
                        }
                        Matcher i = INGRESS.matcher(line);
                        if (i.find()) {
                            ingress.complete(i.group(1));
                        }
                    }
                } catch (IOException ignored) {
                    // The process ended.
                }
                url.completeExceptionally(new AssertionError("tide server exited before listening:\n" + String.join("\n", seen)));
            }, "tide-output");
            reader.setDaemon(true);
            reader.start();
            String u = url.get(60, TimeUnit.SECONDS);
            TideProcess t = new TideProcess(p, u, seen);
            t.ingress = ingress.get(10, TimeUnit.SECONDS);
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError("tide server did not start", e);
        }
    }

    String url() {
        return url;
    }

    /** The ingress, where requests to services go. */
    String ingress() {
        return ingress;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for a clean exit. */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("tide server did not stop within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The lines printed so far (more may follow). */
    List<String> output() {
        return List.copyOf(output);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(20));
        }
    }
}
