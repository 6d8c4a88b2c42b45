package dev.tide.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes the model server's start-up cache, the JDK's AOT cache (JEP 483, 514): one training run of the model server
 * with the JVM flags and class path replicas get ({@link ModelServerLauncher#jvm}), serving a model until it answers
 * REST v1 and v2, then stopped as a replica is; the JVM writes what it loaded and linked at its exit. It then starts
 * the model server once more with the cache required ({@code -XX:AOTMode=on}, which refuses a cache that does not
 * fit) and prints both times to ready. {@code ./tide} runs this after a build; replicas use the cache when it is
 * there ({@link ModelServerLauncher}).
 *
 * <p>Usage: {@code java -cp tide-cli.jar dev.tide.cli.AotTraining MODEL_DIR [CACHE]}, with the sample model's
 * directory; {@code --cli MANIFEST_DIR} is the CLI's own training run (see {@link #cli}).
 */
public final class AotTraining {

    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+)");
    private static final Pattern READY = Pattern.compile("ready in (\\d+) ms since start");
    /** What the JVM's cache-assembling child prints when the cache is written. */
    private static final Pattern CREATED = Pattern.compile("AOTCache creation is complete");
    private static final Duration LIMIT = Duration.ofSeconds(120);

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--cli")) {
            cli(Path.of(args[1]));
            return;
        }
        if (args.length == 2 && args[0].equals("--replica-command")) {
            // For benches: the model server's command as replicas get it, one argument per line, without its own
            // arguments; the class path file goes to the given directory.
            ModelServerLauncher.replicaCommand(Path.of(args[1]), System.getProperty("java.class.path"), true)
                    .forEach(System.out::println);
            return;
        }
        if (args.length != 1 && args.length != 2) {
            System.err.println("usage: AotTraining MODEL_DIR [CACHE] | --cli MANIFEST_DIR");
            System.exit(2);
        }
        String tideClassPath = System.getProperty("java.class.path");
        // Beside the jar, where replicas look for it, unless told otherwise (a test's scratch file).
        Path cache = args.length == 2 ? Path.of(args[1]).toAbsolutePath() : ModelServerLauncher.aotCachePath(tideClassPath)
                .orElseThrow(() -> new IllegalStateException("run from tide-cli's jar: the cache goes beside it"));
        Files.createDirectories(cache.getParent());
        Path work = Files.createTempDirectory("tide-aot");
        try {
            Path classPathFile = ModelServerLauncher.classPathFile(work, ModelServerLauncher.modelServerClassPath(tideClassPath));
            List<String> jvm = ModelServerLauncher.jvm(classPathFile, tideClassPath);
            Path training = work.resolve("modelserver.aot");
            long without = serve(jvm, "-XX:AOTCacheOutput=" + training, Path.of(args[0]), work);
            if (!Files.isRegularFile(training)) {
                throw new IllegalStateException("the training run wrote no cache");
            }
            long with = serve(jvm, "-XX:AOTCache=" + training, Path.of(args[0]), work, "-XX:AOTMode=on");
            Files.move(training, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            // What the cache was made for: the launcher uses it only for the same class path.
            Files.writeString(ModelServerLauncher.classPathOf(cache), ModelServerLauncher.modelServerClassPath(tideClassPath));
            System.out.println("model server ready in " + without + " ms without the start-up cache, " + with + " ms with it: "
                    + cache);
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The CLI's training run, in a JVM started with {@code -XX:AOTCacheOutput}: the commands users run most, an offline
     * one ({@code validate}) and one against an API ({@code get}, answered here by a stand-in that lists nothing), so
     * the cache holds the manifest parsing, the API client and the table printing.
     */
    private static void cli(Path manifests) throws IOException {
        com.sun.net.httpserver.HttpServer api = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/", x -> {
            byte[] body = "{\"apiVersion\":\"serving.knative.dev/v1\",\"kind\":\"ServiceList\",\"items\":[]}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        api.start();
        try {
            String server = "http://127.0.0.1:" + api.getAddress().getPort();
            new picocli.CommandLine(new Main()).execute("validate", "-f", manifests.toString());
            new picocli.CommandLine(new Main()).execute("get", "ksvc", "--server", server);
            new picocli.CommandLine(new Main()).execute("get", "isvc", "-A", "--server", server);
        } finally {
            api.stop(0);
        }
    }

    /** Runs the model server with {@code flags} until it answers both protocols, stops it, and returns its time to ready. */
    private static long serve(List<String> jvm, String cacheFlag, Path model, Path work, String... flags) throws Exception {
        List<String> command = new ArrayList<>(jvm);
        command.addAll(List.of(flags));
        command.add(cacheFlag);
        command.addAll(List.of(ModelServerLauncher.MAIN, "--model_name=sample", "--model_dir=" + model.toAbsolutePath(),
                "--http_port=0", "--cache_dir=" + work.resolve("models")));
        // Output to a file, not a pipe: the JVM hands the cache's assembly to a child JVM as it exits, and that child
        // writes to the same output after this process has reaped the parent and closed its end of any pipe.
        Path log = work.resolve("modelserver-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DJL_OFFLINE", "true");
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            Matcher ready = await(log, READY, p, deadline);
            Matcher listening = LISTENING.matcher(Files.readString(log));
            if (!listening.find()) {
                throw new IllegalStateException("the model server did not say where it listens:\n" + Files.readString(log));
            }
            String base = "http://127.0.0.1:" + listening.group(1);
            try (HttpClient http = HttpClient.newHttpClient()) {
                for (String[] call : List.of(
                        new String[] {"/v1/models/sample:predict", "{\"instances\": [\"Warm the start-up cache.\"]}"},
                        new String[] {"/v2/models/sample/infer", "{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", "
                                + "\"shape\": [1], \"data\": [\"Warm the start-up cache.\"]}]}"})) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + call[0])).timeout(LIMIT)
                            .POST(HttpRequest.BodyPublishers.ofString(call[1])).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(call[0] + " answered " + r.statusCode() + ": " + r.body());
                    }
                }
            }
            p.destroy(); // SIGTERM, as a replica is stopped: the JVM exits normally and writes the cache
            if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the model server did not exit");
            }
            if (cacheFlag.startsWith("-XX:AOTCacheOutput=")) {
                await(log, CREATED, null, deadline);
            }
            return Long.parseLong(ready.group(1));
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * Polls the log until {@code pattern} appears, or the process exits first, or the deadline passes.
     *
     * @param p the process whose exit ends the wait; {@code null} to wait on the log alone
     */
    private static Matcher await(Path log, Pattern pattern, Process p, long deadline) throws IOException, InterruptedException {
        while (true) {
            String text = Files.readString(log);
            Matcher m = pattern.matcher(text);
            if (m.find()) {
                return m;
            }
            if (p != null && !p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("no \"" + pattern + "\" from the model server:\n" + tail(text));
            }
            Thread.sleep(50); // the poll interval: a log file gives no event to wait on
        }
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 30), lines.length));
    }
}
