package dev.tide.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tide.common.time.Ticker;
import dev.tide.modelserver.model.Model;
import dev.tide.modelserver.model.ModelLoader;
import dev.tide.modelserver.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The in-process baseline for bench/modelserver.sh: the model server's own model code (tokenizer, ONNX Runtime session,
 * pooling) called directly by N threads, one sentence per call, with no HTTP, JSON or batching. The model server's
 * numbers divided by these are what serving costs. Prints one line in the script's format: {@code 123.4/s p50 8.1 ms
 * p99 9.0 ms}.
 *
 * <p>Usage: {@code InProcessInference MODEL_DIR CALLERS SECONDS SENTENCE}
 */
public final class InProcessInference {

    private InProcessInference() {
    }

    public static void main(String[] args) throws Exception {
        Ticker ticker = Ticker.system(); // the launcher's one clock
        Path dir = Path.of(args[0]);
        int callers = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        byte[] sentence = args[3].getBytes(StandardCharsets.UTF_8);
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1); // as the model server runs it
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        try (Model model = new ModelLoader(OrtEnvironment.getEnvironment(), new ObjectMapper()).load("bench", dir, options)) {
            List<Tensor> input = List.of(Tensor.strings(model.inputs().getFirst().name(), new long[] {1}, List.of(sentence)));
            for (int i = 0; i < 50; i++) {
                model.infer(input); // warm the JIT and the session
            }
            long start = ticker.nanos();
            long deadline = start + seconds * 1_000_000_000L;
            List<long[]> latencies = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                long[] mine = new long[1 << 18];
                latencies.add(mine);
                threads.add(Thread.ofPlatform().start(() -> {
                    int n = 0;
                    while (ticker.nanos() < deadline && n < mine.length - 1) {
                        long t = ticker.nanos();
                        model.infer(input);
                        mine[++n] = ticker.nanos() - t;
                    }
                    mine[0] = n;
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            double elapsed = (ticker.nanos() - start) / 1e9;
            long[] all = latencies.stream().flatMapToLong(l -> Arrays.stream(l, 1, (int) l[0] + 1)).sorted().toArray();
            System.out.printf("%8.1f/s  p50 %6.1f ms  p99 %6.1f ms%n", all.length / elapsed,
                    all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6);
        }
    }
}
