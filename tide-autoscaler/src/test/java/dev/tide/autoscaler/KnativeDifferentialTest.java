package dev.tide.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tide's KPA (its metric windows and its decider) against Knative Serving's own code, on thousands of seeded random
 * traces: {@code src/test/go/knative-reference} is a small Go program built on {@code knative.dev/serving}'s
 * {@code pkg/autoscaler/aggregation} and {@code pkg/autoscaler/scaling}; both replay the same trace and must agree on
 * the desired scale, the excess burst capacity, whether a decision was made and the panic state at every tick.
 *
 * <p>A trace is a random decider spec (metric, target, TBC, thresholds, rates, windows, scale-down delay, activation
 * scale, reachability that may change halfway, aggregation, scraped or not, ready pods at start) and a per-second
 * load with gaps, bursts and seconds recorded twice (an activator poke beside the scrape), and ready pods that move
 * on their own. Ticks come every 2 s, plus pokes at odd seconds.
 *
 * <p>{@code -Dtide.knativeTraces=N} runs N traces (300 by default; {@code bench/knative-diff.sh} runs 5,000).
 * Needs the Go toolchain; CI downloads the Go modules first.
 */
class KnativeDifferentialTest {

    private static final long ORIGIN = 1_700_000_000L;
    private static final long NANOS = 1_000_000_000L;

    /** One trace, as both sides replay it. */
    private record Trace(String id, DeciderSpec spec, String aggregation, boolean scraped, int readyAtStart,
                         List<String> directives) {
    }

    /** What one tick decided. */
    private record Tick(String id, long second, int desired, int excessBurst, boolean valid, boolean panicking) {
        @Override
        public String toString() {
            return id + " " + second + " " + desired + " " + excessBurst + " " + valid + " " + panicking;
        }
    }

    @Test
    void tideDecidesAsKnativeOnRandomTraces() throws Exception {
        int count = Integer.getInteger("tide.knativeTraces", 300);
        long seed = Long.getLong("tide.knativeSeed", 20261202L);
        SplittableRandom random = new SplittableRandom(seed);
        List<Trace> traces = new ArrayList<>();
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < count; i++) {
            Trace t = randomTrace("t" + i, random);
            traces.add(t);
            t.directives().forEach(d -> input.append(d).append('\n'));
        }
        List<Tick> knative = runReference(input.toString());
        List<Tick> tide = new ArrayList<>();
        traces.forEach(t -> tide.addAll(replay(t)));

        assertThat(tide).as("ticks (seed %d)", seed).hasSize(knative.size());
        for (int i = 0; i < tide.size(); i++) {
            Tick ours = tide.get(i);
            Tick theirs = knative.get(i);
            if (!ours.equals(theirs)) {
                Trace t = traces.stream().filter(x -> x.id().equals(ours.id())).findFirst().orElseThrow();
                throw new AssertionError("Tide and Knative differ at tick " + i + " (seed " + seed + ")\n  tide:    " + ours
                        + "\n  knative: " + theirs + "\n  spec: " + t.spec() + " aggregation " + t.aggregation()
                        + " scraped " + t.scraped() + " readyAtStart " + t.readyAtStart());
            }
        }
        assertThat(tide.stream().filter(Tick::panicking).count()).as("traces that panic").isGreaterThan(count / 10);
        assertThat(tide.stream().filter(x -> !x.valid()).count()).as("ticks without data").isPositive();
    }

    /** Tide's side: the revision's metric windows and the KPA decider, fed the same directives. */
    private static List<Tick> replay(Trace t) {
        DeciderSpec spec = t.spec();
        RevisionMetrics metrics = new RevisionMetrics(t.aggregation(), spec.stableWindow(), spec.panicWindow());
        KpaDecider decider = new KpaDecider(spec, t.readyAtStart(), ORIGIN * NANOS);
        List<Tick> out = new ArrayList<>();
        for (String line : t.directives()) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "rec" -> metrics.record(Long.parseLong(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]));
                case "reach" -> {
                    spec = spec.withReachable(f[1].equals("1"));
                    decider.update(spec);
                }
                case "tick" -> {
                    long second = Long.parseLong(f[1]);
                    int ready = Integer.parseInt(f[2]);
                    ScaleDecision d = decider.decide(metrics.observe(spec.metric(), ready, t.scraped(), second), second * NANOS);
                    if (d instanceof ScaleDecision.Scale s) {
                        out.add(new Tick(t.id(), second, s.desired(), s.excessBurstCapacity(), true, s.panicking()));
                    } else {
                        // Knative's invalid result carries zeros; its panic state is unchanged, as Tide's.
                        out.add(new Tick(t.id(), second, 0, 0, false, decider.panicking()));
                    }
                }
                default -> {
                }
            }
        }
        return out;
    }

    private static Trace randomTrace(String id, SplittableRandom r) {
        Metric metric = r.nextInt(4) == 0 ? Metric.RPS : Metric.CONCURRENCY;
        double total = pick(r, 1, 2, 5, 10, 100, 200);
        double utilization = pick(r, 0.5, 0.7, 0.9, 1.0);
        double tbc = switch (r.nextInt(4)) {
            case 0 -> -1;
            case 1 -> 0;
            default -> r.nextInt(400);
        };
        int stable = 6 + r.nextInt(115);
        Duration stableWindow = Duration.ofSeconds(stable);
        Duration panicWindow = DeciderSpec.panicWindow(stableWindow, 1 + r.nextInt(100));
        Duration delay = r.nextBoolean() ? Duration.ZERO : Duration.ofSeconds(2 + r.nextInt(59));
        int activation = r.nextInt(3) == 0 ? 2 + r.nextInt(4) : r.nextInt(2);
        boolean reachable = r.nextInt(5) != 0;
        DeciderSpec spec = new DeciderSpec(metric, DeciderSpec.target(total, utilization), total, tbc,
                (110 + r.nextInt(900)) / 100.0, r.nextBoolean() ? 1000 : 1.5 + r.nextInt(9), pick(r, 2, 1.5, 3, 5),
                stableWindow, panicWindow, delay, activation, r.nextInt(4), reachable);
        String aggregation = r.nextBoolean() ? "linear" : "weighted-exponential";
        boolean scraped = r.nextInt(3) == 0;
        int readyAtStart = r.nextInt(5);

        List<String> d = new ArrayList<>();
        d.add("trace " + id);
        d.add(String.join(" ", "spec", metric == Metric.RPS ? "rps" : "concurrency", num(spec.targetValue()), num(total), num(tbc),
                num(spec.panicThreshold()), num(spec.maxScaleUpRate()), num(spec.maxScaleDownRate()),
                String.valueOf(stable), String.valueOf(panicWindow.toSeconds()), String.valueOf(delay.toSeconds()),
                String.valueOf(activation), String.valueOf(spec.initialScale()), reachable ? "1" : "0", aggregation,
                scraped ? "1" : "0", String.valueOf(readyAtStart), String.valueOf(ORIGIN)));
        int length = 60 + r.nextInt(500);
        int ready = readyAtStart;
        double level = r.nextInt(3) == 0 ? 0 : r.nextDouble() * total * 3;
        int flip = r.nextInt(4) == 0 ? r.nextInt(length) : -1;
        for (int t = 0; t < length; t++) {
            long second = ORIGIN + t;
            // Load: a random walk with bursts, idle stretches and missing seconds.
            switch (r.nextInt(40)) {
                case 0 -> level = r.nextDouble() * total * 20; // burst
                case 1, 2 -> level = 0; // idle
                default -> level = Math.max(0, level + (r.nextDouble() - 0.5) * total);
            }
            boolean gap = r.nextInt(15) == 0;
            if (!gap) {
                d.add("rec " + second + " " + num(level) + " " + num(level * (0.5 + r.nextDouble())));
                if (r.nextInt(25) == 0) {
                    d.add("rec " + second + " " + num(1) + " " + num(1)); // an activator poke lands in the same second
                }
            }
            if (t == flip) {
                d.add("reach " + (reachable ? "0" : "1"));
            }
            if (r.nextInt(6) == 0) {
                ready = Math.max(0, ready + r.nextInt(5) - 2);
            }
            if (t % 2 == 0 || r.nextInt(10) == 0) {
                d.add("tick " + second + " " + ready);
            }
        }
        d.add("end");
        return new Trace(id, spec, aggregation, scraped, readyAtStart, d);
    }

    private static double pick(SplittableRandom r, double... values) {
        return values[r.nextInt(values.length)];
    }

    /** Three decimals, so that both sides parse the same double from the same text. */
    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** Builds the Go reference (cached by Go between runs) and replays the input through it. */
    private static List<Tick> runReference(String input) throws IOException, InterruptedException {
        Path source = Path.of("src/test/go/knative-reference").toAbsolutePath();
        Path binary = Path.of("target/knative-reference").toAbsolutePath();
        run(new ProcessBuilder("go", "build", "-o", binary.toString(), ".").directory(source.toFile()), null);
        String output = run(new ProcessBuilder(binary.toString()), input);
        List<Tick> ticks = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ");
            ticks.add(new Tick(f[0], Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Boolean.parseBoolean(f[4]), Boolean.parseBoolean(f[5])));
        }
        return ticks;
    }

    private static String run(ProcessBuilder pb, String input) throws IOException, InterruptedException {
        Path err = Files.createTempFile("knative-reference", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        Thread writer = Thread.ofVirtual().start(() -> {
            try (var os = p.getOutputStream()) {
                if (input != null) {
                    os.write(input.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        writer.join();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", pb.command()) + " failed:\n" + Files.readString(err));
        }
        Files.delete(err);
        return out;
    }
}
