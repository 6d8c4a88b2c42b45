package dev.tide.it;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion, with a deadline, and keeps what it printed. */
final class Exec {

    record Result(int rc, String out, String err) {
        @Override
        public String toString() {
            return "rc=" + rc + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Exec() {
    }

    static Result run(List<String> command, String stdin, long timeoutSeconds) {
        return run(command, stdin, timeoutSeconds, java.util.Map.of());
    }

    /** @param env variables added to this JVM's environment for the command */
    static Result run(List<String> command, String stdin, long timeoutSeconds, java.util.Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(env);
            Process p = pb.start();
            CompletableFuture<String> out = read(p.getInputStream());
            CompletableFuture<String> err = read(p.getErrorStream());
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + "s: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    /** The java of the JVM running the tests (a JDK >= 21) and the test classpath, which holds the tide CLI. */
    static List<String> tideCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "dev.tide.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The repository root, where examples/ lives. */
    static Path repo() {
        String r = System.getProperty("tide.repo");
        return r != null ? Path.of(r) : Path.of("..").toAbsolutePath().normalize();
    }

    static String path(Path p) {
        return p.toString().replace(File.separatorChar, '/');
    }
}
