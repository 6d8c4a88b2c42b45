package dev.tide.cli;

import dev.tide.controlplane.serving.ModelServing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the command that starts Tide's model server as a replica: the JDK running Tide, Tide's own class path, and
 * ONNX Runtime's natives unpacked at build time (so a replica does not unpack 20 MB into /tmp on every start).
 */
final class ModelServerLauncher {

    static final String MAIN = "dev.tide.modelserver.ModelServerMain";

    private ModelServerLauncher() {
    }

    /**
     * @param tidePorts Tide's API and ingress ports once bound: models are never fetched from them
     * @param ingress   the ingress's URL once it listens, else empty (see {@link ModelServing#ingress()})
     */
    static ModelServing forThisJvm(ServerConfig config, java.util.function.Supplier<Set<Integer>> tidePorts,
                                   java.util.function.Supplier<String> ingress) {
        List<String> command = replicaCommand(config.dataDir(), System.getProperty("java.class.path"),
                !"off".equals(System.getenv("TIDE_AOT")));
        Map<String, String> volumes = new LinkedHashMap<>();
        config.volumes().forEach((k, v) -> volumes.put(k, v.toAbsolutePath().toString()));
        return new ModelServing(command, Set.of("onnx"), config.modelCache().toAbsolutePath().toString(), volumes,
                List.of("--cache_quota_bytes=" + config.cacheQuotaBytes(), "--base_dir=" + Path.of("").toAbsolutePath()),
                // The tokenizer library looks for a GPU build online on CUDA hosts unless told it is offline.
                Map.of("DJL_OFFLINE", "true"),
                new dev.tide.cli.security.ModelStorageCheck(config.modelRoots(), config.volumes(), Path.of("").toAbsolutePath(),
                        config.security().allowPrivateModelHosts(), tidePorts), ingress);
    }

    /**
     * The command replicas of the model server run, without the model server's own arguments: its JVM ({@link #jvm}),
     * the start-up cache when {@code ./tide} made one for this class path and {@code aot} allows it (classes then come
     * loaded and linked from it), and the main class. Benches start the model server the same way
     * ({@code AotTraining --replica-command}).
     *
     * @param classPathDir where the class path's argument file goes
     */
    static List<String> replicaCommand(Path classPathDir, String tideClassPath, boolean aot) {
        String classPath = modelServerClassPath(tideClassPath);
        List<String> command = jvm(classPathFile(classPathDir, classPath), tideClassPath);
        if (aot) {
            aotCache(tideClassPath, classPath).ifPresent(cache -> command.add("-XX:AOTCache=" + cache));
        }
        command.add(MAIN);
        return command;
    }

    /**
     * The model server's JVM with its flags and class path, without the main class: one list for replicas and for
     * {@link AotTraining}, because a start-up cache serves only the JVM flags and class path it was made with.
     */
    static List<String> jvm(Path classPathFile, String tideClassPath) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED"));
        nativeDir(tideClassPath).ifPresent(dir -> command.add("-Donnxruntime.native.path=" + dir));
        command.add("@" + classPathFile);
        return command;
    }

    /** Where the model server's start-up cache lives: {@code aot/modelserver.aot} beside tide-cli's jar. */
    static java.util.Optional<Path> aotCachePath(String tideClassPath) {
        for (String e : tideClassPath.split(java.io.File.pathSeparator)) {
            Path p = Path.of(e).toAbsolutePath();
            if (p.getFileName().toString().startsWith("tide-cli") && p.toString().endsWith(".jar") && p.getParent() != null) {
                return java.util.Optional.of(p.getParent().resolve("aot").resolve("modelserver.aot"));
            }
        }
        return java.util.Optional.empty(); // Tide runs from classes (tests): no jar, no cache
    }

    /** Beside a cache, the class path it was made for. */
    static Path classPathOf(Path cache) {
        return cache.resolveSibling(cache.getFileName() + ".classpath");
    }

    /**
     * The start-up cache, if one was made for this class path since its jars were: another one the JVM would refuse
     * with a warning on each start (a test's class path, or jars rebuilt since), so it is left out.
     */
    private static java.util.Optional<Path> aotCache(String tideClassPath, String classPath) {
        return aotCachePath(tideClassPath).filter(cache -> {
            try {
                if (!Files.isRegularFile(cache) || !Files.isRegularFile(classPathOf(cache))
                        || !Files.readString(classPathOf(cache)).equals(classPath)) {
                    return false;
                }
                var made = Files.getLastModifiedTime(cache);
                for (String jar : classPath.split(java.io.File.pathSeparator)) {
                    if (Files.getLastModifiedTime(Path.of(jar)).compareTo(made) >= 0) {
                        return false;
                    }
                }
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }

    /**
     * Writes {@code -cp CLASSPATH} to a java argument file under the data dir and returns its path. A native library
     * the model server loads crashes the process (SIGSEGV, no JVM error report) when the process's command line is
     * longer than about 4 KiB, which an absolute class path of ~50 jars is; {@code @file} keeps the command line short
     * while the class path stays whole (measured: 3.4 KiB ran, 3.7 KiB crashed, the same 4.4 KiB through a file ran).
     */
    static Path classPathFile(Path dataDir, String classPath) {
        try {
            Path file = Files.createDirectories(dataDir.resolve("runtime")).resolve("modelserver-classpath.args");
            // The argument-file syntax: quoted, with backslashes doubled.
            Files.writeString(file, "-cp\n\"" + classPath.replace("\\", "\\\\") + "\"\n");
            return file.toAbsolutePath();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the model server's class path file under " + dataDir, e);
        }
    }

    /** What the model server runs with: its own jars, from Tide's class path (lib/ beside tide-cli.jar included). */
    private static final List<String> MODEL_SERVER_JARS = List.of("tide-modelserver", "tide-common", "jackson-databind",
            "jackson-annotations", "jackson-core", "netty-", "onnxruntime", "tokenizers", "api-", "gson", "error_prone",
            "jna", "commons-compress", "commons-codec", "commons-io", "slf4j-", "grpc-", "protobuf-java", "guava",
            "failureaccess", "perfmark", "proto-google-common-protos", "micrometer-", "prometheus-metrics-", "HdrHistogram",
            "LatencyUtils", "jspecify");

    /**
     * The model server's class path: only the jars it needs, not all of Tide's. Keeping it short matters beyond start
     * time: with Tide's whole test class path (80+ entries) the tokenizer's native library crashed the process while
     * loading (SIGSEGV), while the model server's own set ran cleanly in every order tried.
     */
    static String modelServerClassPath(String tideClassPath) {
        List<Path> entries = new ArrayList<>();
        for (String e : tideClassPath.split(java.io.File.pathSeparator)) {
            Path p = Path.of(e).toAbsolutePath();
            entries.add(p);
            Path lib = p.getParent() == null ? null : p.getParent().resolve("lib");
            if (p.getFileName().toString().startsWith("tide-cli") && lib != null && Files.isDirectory(lib)) {
                try (var jars = Files.list(lib)) {
                    jars.filter(j -> j.toString().endsWith(".jar")).sorted().forEach(entries::add);
                } catch (java.io.IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            }
        }
        List<String> kept = new ArrayList<>();
        for (Path p : entries) {
            String name = p.getFileName().toString();
            boolean classesDir = Files.isDirectory(p) && (p.toString().contains("tide-modelserver") || p.toString().contains("tide-common"));
            if (classesDir || name.endsWith(".jar") && MODEL_SERVER_JARS.stream().anyMatch(name::startsWith)) {
                kept.add(p.toString());
            }
        }
        return String.join(java.io.File.pathSeparator, kept);
    }

    /** {@code lib/onnxruntime-native} next to the jars, where the build unpacks ONNX Runtime's libraries. */
    private static java.util.Optional<Path> nativeDir(String classPath) {
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath().getParent();
            if (p == null) {
                continue;
            }
            for (Path candidate : List.of(p.resolve("lib").resolve("onnxruntime-native"), p.resolve("onnxruntime-native"))) {
                if (Files.exists(candidate.resolve("libonnxruntime4j_jni.so"))) {
                    return java.util.Optional.of(candidate);
                }
            }
        }
        return java.util.Optional.empty();
    }
}
