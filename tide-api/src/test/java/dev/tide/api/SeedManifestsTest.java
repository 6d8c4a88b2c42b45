package dev.tide.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.config.ClusterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The manifests reconstructed from the seed documents keep admitting, and the kinds Tide does not serve keep being explained. */
class SeedManifestsTest {

    private static final Path SEEDS = Path.of("..", "examples", "seeds");

    static Stream<Path> served() throws IOException {
        return files(SEEDS);
    }

    static Stream<Path> unserved() throws IOException {
        return files(SEEDS.resolve("unserved"));
    }

    private static Stream<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(files).isNotEmpty();
            return files.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("served")
    void admits(Path file) throws IOException {
        List<ObjectNode> docs = Manifests.parse(Files.readString(file), file.toString());
        assertThat(docs).hasSize(1);
        ObjectNode o = docs.get(0);
        ResourceType type = ResourceTypes.byApiVersionAndKind(Meta.apiVersion(o), Meta.kind(o)).orElseThrow();
        Admission.admit(type, o, ClusterConfig.defaults("example.com"));
    }

    @ParameterizedTest
    @MethodSource("unserved")
    void isRefusedWithItsKind(Path file) throws IOException {
        ObjectNode o = Manifests.parse(Files.readString(file), file.toString()).get(0);
        assertThat(ResourceTypes.byApiVersionAndKind(Meta.apiVersion(o), Meta.kind(o))).isEmpty();
        assertThat(UnservedKinds.refusal(Meta.apiVersion(o), Meta.kind(o), Meta.name(o)))
                .startsWith("Tide does not serve " + Meta.apiVersion(o) + " " + Meta.kind(o));
    }
}
