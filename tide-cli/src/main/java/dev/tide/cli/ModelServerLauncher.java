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

    static ModelServing forThisJvm(ServerConfig config) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = System.getProperty("java.class.path");
        List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED"));
        nativeDir(classPath).ifPresent(dir -> command.add("-Donnxruntime.native.path=" + dir));
        command.addAll(List.of("-cp", classPath, MAIN));
        Map<String, String> volumes = new LinkedHashMap<>();
        config.volumes().forEach((k, v) -> volumes.put(k, v.toAbsolutePath().toString()));
        return new ModelServing(command, Set.of("onnx"), config.modelCache().toAbsolutePath().toString(), volumes,
                List.of("--cache_quota_bytes=" + config.cacheQuotaBytes(), "--base_dir=" + Path.of("").toAbsolutePath()));
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
