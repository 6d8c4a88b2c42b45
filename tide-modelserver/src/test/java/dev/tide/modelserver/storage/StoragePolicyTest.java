package dev.tide.modelserver.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoragePolicyTest {

    @TempDir
    Path tmp;

    /** Names resolve as a test says: no DNS. */
    private static final StoragePolicy.Resolver DNS = host -> switch (host) {
        case "models.example.com" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 216, 34})};
        case "rebound.example.com" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {93, 1, 1, 1}),
                InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};
        case "metadata.internal" -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254})};
        default -> {
            try {
                yield new InetAddress[] {InetAddress.getByName(host)};
            } catch (UnknownHostException e) {
                throw e;
            }
        }
    };

    private static final S3Fetcher.Settings S3 = S3Fetcher.Settings.fromEnv(Map.of("S3_ENDPOINT", "http://127.0.0.1:9000"));

    private Optional<String> refusal(StoragePolicy p, String uri) {
        return p.refusal(StorageUri.parse(uri, Map.of(), tmp), S3, DNS);
    }

    @Test
    void localModelsOnlyUnderTheRootsWithTheirSymlinksResolved() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("models"));
        Path model = Files.createDirectories(root.resolve("m"));
        Files.writeString(model.resolve("model.onnx"), "x");
        StoragePolicy p = new StoragePolicy(List.of(root), false, Set.of());
        assertThat(refusal(p, "file://" + model)).isEmpty();
        assertThat(refusal(p, "file:///etc")).hasValueSatisfying(r -> assertThat(r).contains("/etc is outside the model roots")
                .contains("--model-root"));
        Path escape = Files.createSymbolicLink(root.resolve("escape"), Path.of("/etc"));
        assertThat(refusal(p, "file://" + escape)).as("a symlinked model dir is judged by where it leads")
                .hasValueSatisfying(r -> assertThat(r).contains("outside the model roots"));
        Files.createSymbolicLink(model.resolve("config.json"), Path.of("/etc/passwd"));
        assertThat(refusal(p, "file://" + model)).hasValueSatisfying(r -> assertThat(r)
                .contains("config.json is a symlink to /etc/passwd, outside the model roots"));
        assertThat(refusal(StoragePolicy.UNRESTRICTED, "file:///etc")).as("a model server run by hand").isEmpty();
        assertThat(refusal(p, "file://" + root.resolve("absent"))).as("missing paths are reported where opened").isEmpty();
    }

    @Test
    void hostsNeverTideItselfNorLoopbackOrLinkLocalUnlessAllowed() {
        StoragePolicy strict = new StoragePolicy(List.of(), false, Set.of(8081, 8080));
        StoragePolicy lenient = new StoragePolicy(List.of(), true, Set.of(8081, 8080));
        assertThat(refusal(strict, "https://models.example.com/m.onnx")).isEmpty();
        assertThat(refusal(strict, "http://127.0.0.1:9000/m.onnx")).hasValueSatisfying(r -> assertThat(r)
                .contains("resolves to 127.0.0.1, a loopback address").contains("--allow-private-model-hosts"));
        assertThat(refusal(lenient, "http://127.0.0.1:9000/m.onnx")).isEmpty();
        assertThat(refusal(strict, "http://metadata.internal/latest")).hasValueSatisfying(r -> assertThat(r).contains("link-local"));
        assertThat(refusal(strict, "http://[::1]:9000/m.onnx")).hasValueSatisfying(r -> assertThat(r).contains("loopback"));
        assertThat(refusal(strict, "http://0.0.0.0:9000/m.onnx")).hasValueSatisfying(r -> assertThat(r).contains("unspecified"));
        assertThat(refusal(strict, "http://rebound.example.com/m.onnx")).as("every address a name resolves to")
                .hasValueSatisfying(r -> assertThat(r).contains("127.0.0.1"));
        assertThat(refusal(lenient, "http://127.0.0.1:8081/api/v1/namespaces/default/secrets/creds")).as("Tide's API, even when allowed")
                .hasValueSatisfying(r -> assertThat(r).contains("is Tide's own API or ingress"));
        assertThat(refusal(lenient, "http://localhost:8080/m.onnx")).hasValueSatisfying(r -> assertThat(r).contains("Tide's own"));
        assertThat(refusal(strict, "s3://bucket/model")).as("the S3 endpoint is checked").hasValueSatisfying(r -> assertThat(r).contains("loopback"));
        assertThat(strict.redirectRefusal("https://models.example.com/m.onnx", URI.create("http://127.0.0.1:8081/api"), DNS))
                .hasValueSatisfying(r -> assertThat(r).contains("redirected to http://127.0.0.1:8081/api"));
    }

    @Test
    void withoutDnsOnlyWhatNeedsNoLookupIsJudged() throws UnknownHostException {
        StoragePolicy strict = new StoragePolicy(List.of(), false, Set.of(8081));
        StoragePolicy.Resolver none = StoragePolicy.Resolver.LITERALS_ONLY;
        java.util.function.Function<String, Optional<String>> check = uri -> strict.refusal(StorageUri.parse(uri, Map.of(), tmp), S3, none);
        assertThat(check.apply("http://127.0.0.1:9000/m.onnx")).isPresent();
        assertThat(check.apply("http://[::1]/m.onnx")).isPresent();
        assertThat(check.apply("http://169.254.169.254/latest")).hasValueSatisfying(r -> assertThat(r).contains("link-local"));
        assertThat(check.apply("http://localhost:9000/m.onnx")).isPresent();
        assertThat(check.apply("http://models.localhost/m.onnx")).isPresent();
        assertThat(check.apply("http://models.example.com/m.onnx")).as("a name is the model server's to resolve").isEmpty();
        assertThat(none.resolve("no-such-host.invalid")).isEmpty();
    }

    @Test
    void theModelServerGetsThePolicyAsFlags() {
        StoragePolicy p = new StoragePolicy(List.of(Path.of("/models")), true, Set.of(8081, 8080));
        assertThat(p.args()).containsExactly("--model_root=/models", "--allow_private_hosts=true", "--deny_port=8080", "--deny_port=8081");
        assertThat(dev.tide.modelserver.ModelServerOptions.parse(List.of("--model_name=m", "--storage_uri=file:///models/m",
                "--model_root=/models", "--allow_private_hosts=true", "--deny_port=8080", "--deny_port=8081"), Map.of()).storage()).isEqualTo(p);
        assertThat(dev.tide.modelserver.ModelServerOptions.parse(List.of("--model_name=m", "--model_dir=/m"), Map.of()).storage())
                .isEqualTo(StoragePolicy.UNRESTRICTED);
    }
}
