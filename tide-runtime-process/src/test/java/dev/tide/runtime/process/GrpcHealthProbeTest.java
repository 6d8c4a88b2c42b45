package dev.tide.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tide.runtime.ProbeSpec;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hand-written gRPC probe against grpc-java's own health service, on a real port. */
class GrpcHealthProbeTest {

    private final HealthStatusManager health = new HealthStatusManager();
    private final Server server;

    GrpcHealthProbeTest() throws Exception {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(health.getHealthService()).build().start();
    }

    @AfterEach
    void stop() {
        server.shutdownNow();
    }

    private boolean probe(int port, String service) {
        return Probes.attempt(new ProbeSpec.Grpc(port, service), 1, Duration.ofSeconds(5), Map.of(), List.of());
    }

    @Test
    void servingIsHealthyAndEveryOtherAnswerIsNot() {
        int port = server.getPort();
        assertThat(probe(port, "")).as("the server as a whole is SERVING by default").isTrue();
        health.setStatus("", ServingStatus.NOT_SERVING);
        assertThat(probe(port, "")).isFalse();
        health.setStatus("inference.GRPCInferenceService", ServingStatus.SERVING);
        assertThat(probe(port, "inference.GRPCInferenceService")).as("a named service").isTrue();
        assertThat(probe(port, "nope")).as("NOT_FOUND: no message, only trailers").isFalse();
        health.enterTerminalState();
        assertThat(probe(port, "inference.GRPCInferenceService")).as("shutting down: NOT_SERVING").isFalse();
    }

    @Test
    void aClosedPortAndAServerThatIsNotHttp2AreUnhealthyWithinTheTimeout() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThat(probe(closed, "")).isFalse();
        HttpServer http1 = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http1.createContext("/", x -> {
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        http1.start();
        try {
            assertThat(probe(http1.getAddress().getPort(), "")).isFalse();
        } finally {
            http1.stop(0);
        }
    }

    @Test
    void theWireFormatsWorkedExamples() throws Exception {
        assertThat(GrpcHealthProbe.status(HexFormat.of().parseHex("00000000020801"))).as("SERVING").isEqualTo(1);
        assertThat(GrpcHealthProbe.status(HexFormat.of().parseHex("0000000000"))).as("empty: UNKNOWN").isEqualTo(0);
        assertThat(GrpcHealthProbe.status(HexFormat.of().parseHex("000000000208"))).as("incomplete").isNull();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        GrpcHealthProbe.integer(b, 0x00, 4, 31);
        assertThat(HexFormat.of().formatHex(b.toByteArray())).isEqualTo("0f10");
    }
}
