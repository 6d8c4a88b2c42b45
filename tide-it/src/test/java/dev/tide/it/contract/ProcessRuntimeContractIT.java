package dev.tide.it.contract;

import dev.tide.runtime.ReplicaRuntime;
import dev.tide.runtime.ReplicaSpec;
import dev.tide.runtime.process.ProcessRuntime;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The contract against Tide's process runtime: the server is the spec's command, on loopback. */
class ProcessRuntimeContractIT extends ReplicaRuntimeContract {

    @TempDir
    Path state;

    @Override
    ReplicaRuntime runtime(ReplicaRuntime.DrainGate gate) {
        return new ProcessRuntime(scheduler, blocking, state, gate,
                new ProcessRuntime.Settings(Map.of("PATH", System.getenv("PATH")), null));
    }

    @Override
    ReplicaSpec httpServer(String revision) {
        return spec(revision, List.of("python3", "-m", "http.server", "--bind", "127.0.0.1", "$(PORT)"), null);
    }
}
