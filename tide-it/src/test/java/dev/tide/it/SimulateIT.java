package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tide simulate} as a user runs it, on the files in examples/simulate. */
class SimulateIT {

    private static final Path EXAMPLES = Exec.repo().resolve("examples/simulate");

    private static Exec.Result simulate(String... args) {
        return Exec.run(Exec.tideCommand(args), null, 120);
    }

    @Test
    void traceProducesTheResolvedSpecThenOneRowPerDecision(@TempDir Path tmp) throws IOException {
        Path chart = tmp.resolve("chart.html");
        Path out = tmp.resolve("decisions.csv");
        Exec.Result r = simulate("simulate", "-f", EXAMPLES.resolve("service.yaml").toString(),
                "--config", EXAMPLES.resolve("config-autoscaler.yaml").toString(),
                "--trace", EXAMPLES.resolve("burst.csv").toString(), "--out", out.toString(), "--chart", chart.toString());
        assertThat(r.rc()).as("%s", r).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).contains("# metric=concurrency", "# target=0.7", "# total=1", "# target-burst-capacity=211",
                "# panic-threshold=2", "# stable-window=1m0s", "# panic-window=6s", "# max-scale-up-rate=1000",
                "# max-scale-down-rate=4", "# min-scale=0", "# max-scale=0", "# initial-scale=1", "# activation-scale=0",
                "# scale-down-delay=0s");
        int header = lines.indexOf("t,ready,observed_stable,observed_panic,desired,panic,excess_burst_capacity,want");
        assertThat(header).isPositive();
        List<String[]> rows = lines.subList(header + 1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
        assertThat(rows).allMatch(c -> c.length == 8);
        assertThat(rows.stream().mapToInt(c -> Integer.parseInt(c[7])).max().orElseThrow()).as("ceil(5 / 0.7)").isEqualTo(8);
        assertThat(rows.get(rows.size() - 1)[1]).as("back to zero").isEqualTo("0");
        assertThat(Files.readString(chart)).startsWith("<!DOCTYPE html>").contains("<svg").doesNotContain("<script");
    }

    @Test
    void observedReplaysDashboardRows() {
        Exec.Result r = simulate("simulate", "-f", EXAMPLES.resolve("service.yaml").toString(),
                "--observed", EXAMPLES.resolve("observed.csv").toString());
        assertThat(r.rc()).as("%s", r).isZero();
        assertThat(r.out().lines().filter(l -> !l.startsWith("#")).count()).isEqualTo(1 + 6);
    }

    @Test
    void badInputIsOneErrorWithItsLineOrFieldAndExitCode1(@TempDir Path tmp) throws IOException {
        Path csv = Files.writeString(tmp.resolve("load.csv"), "t,concurrency\n0,1\n1,x\n");
        Exec.Result badCsv = simulate("simulate", "-f", EXAMPLES.resolve("service.yaml").toString(), "--trace", csv.toString());
        assertThat(badCsv.rc()).isEqualTo(1);
        assertThat(badCsv.err().strip()).isEqualTo("error: " + csv + ":3: load must be a number, got \"x\"");

        Path svc = Files.writeString(tmp.resolve("svc.yaml"), Files.readString(EXAMPLES.resolve("service.yaml"))
                .replace("autoscaling.knative.dev/window: \"60s\"", "autoscaling.knative.dev/window: \"5s\""));
        Exec.Result badSvc = simulate("simulate", "-f", svc.toString(), "--trace", EXAMPLES.resolve("burst.csv").toString());
        assertThat(badSvc.rc()).isEqualTo(1);
        assertThat(badSvc.err()).contains("expected 6s <= 5s <= 1h0m0s: spec.template.metadata.annotations[autoscaling.knative.dev/window]");

        Path rps = Files.writeString(tmp.resolve("rps.csv"), "t,rps\n0,10\n");
        Exec.Result mismatch = simulate("simulate", "-f", EXAMPLES.resolve("service.yaml").toString(), "--trace", rps.toString());
        assertThat(mismatch.rc()).isEqualTo(1);
        assertThat(mismatch.err()).contains("the trace is rps but the service scales on concurrency");

        Exec.Result both = simulate("simulate", "-f", EXAMPLES.resolve("service.yaml").toString(), "--trace", csv.toString(),
                "--observed", csv.toString());
        assertThat(both.rc()).isEqualTo(2);
    }
}
