package dev.tide.runtime.process;

import dev.tide.runtime.ProbeSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One probe attempt, blocking (run on a virtual thread). HTTP probes are written by hand on a socket so a probe
 * costs one connection and no client thread pool: {@code GET path HTTP/1.1}, success on a 2xx or 3xx status line.
 */
final class Probes {

    private Probes() {
    }

    /** @param prefix what an exec probe's command runs under (the replica's user switch), usually empty */
    static boolean attempt(ProbeSpec.Handler handler, int replicaPort, Duration timeout, Map<String, String> env, List<String> prefix) {
        int millis = (int) Math.max(1, timeout.toMillis());
        try {
            return switch (handler) {
                case ProbeSpec.TcpSocket t -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port(t.port(), replicaPort)), millis);
                        yield true;
                    }
                }
                case ProbeSpec.HttpGet h -> http(h.path() == null || h.path().isEmpty() ? "/" : h.path(), port(h.port(), replicaPort), millis);
                case ProbeSpec.Grpc g -> GrpcHealthProbe.check(port(g.port(), replicaPort), g.service(), millis);
                case ProbeSpec.Exec e -> exec(e, env, prefix, timeout);
            };
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int port(int probePort, int replicaPort) {
        return probePort == 0 ? replicaPort : probePort;
    }

    private static boolean http(String path, int port, int millis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), millis);
            s.setSoTimeout(millis);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: Tide-Probe\r\n"
                    + "K-Network-Probe: queue\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] status = new byte[12];
            int n = 0;
            while (n < status.length) {
                int r = in.read(status, n, status.length - n);
                if (r < 0) {
                    return false;
                }
                n += r;
            }
            String line = new String(status, StandardCharsets.US_ASCII); // "HTTP/1.1 200"
            return line.startsWith("HTTP/1.") && (line.charAt(9) == '2' || line.charAt(9) == '3');
        }
    }

    /** An exec probe runs as the replica does: its user (through {@code prefix}) and only its environment. */
    private static boolean exec(ProbeSpec.Exec e, Map<String, String> env, List<String> prefix, Duration timeout)
            throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(prefix);
        command.addAll(e.command());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
