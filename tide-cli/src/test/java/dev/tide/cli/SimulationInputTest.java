package dev.tide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tide.autoscaler.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SimulationInputTest {

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("in.csv"), text);
    }

    @Test
    void traceFillsMissingSecondsWithZero() throws IOException {
        SimulationInput.Trace t = SimulationInput.trace(write("# a comment\nt,rps\n0,5\n3,7.5\n"));
        assertThat(t.metric()).isEqualTo(Metric.RPS);
        assertThat(t.load()).containsExactly(5, 0, 0, 7.5);
    }

    @Test
    void observedRowsMayShareATime() throws IOException {
        assertThat(SimulationInput.observed(write("t,ready,stable,panic\n0,1,2,3\n0,1,2.5,4\n2,2,3,3\n"))).hasSize(3);
    }

    record Bad(String name, String text, boolean observed, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Bad> bad() {
        return Stream.of(
                new Bad("wrong header", "time,load\n0,1\n", false, "in.csv:1: expected the header t,concurrency or t,rps"),
                new Bad("extra column", "t,concurrency\n0,1\n1,2,3\n", false, "in.csv:3: expected 2 columns (t,concurrency), got 3"),
                new Bad("not a number", "t,concurrency\n0,1\n1,lots\n", false, "in.csv:3: load must be a number, got \"lots\""),
                new Bad("fractional second", "t,concurrency\n0.5,1\n", false, "in.csv:2: t must be a whole number of seconds >= 0"),
                new Bad("time going back", "t,concurrency\n# comment lines count\n5,1\n3,1\n", false, "in.csv:4: t must increase (3 after 5)"),
                new Bad("negative load", "t,concurrency\n0,-1\n", false, "in.csv:2: load must be >= 0"),
                new Bad("no rows", "t,concurrency\n", false, "in.csv: no data rows"),
                new Bad("observed header", "t,ready,stable\n0,1,2\n", true, "in.csv:1: expected the header t,ready,stable,panic"),
                new Bad("fractional ready", "t,ready,stable,panic\n0,1.5,2,2\n", true, "in.csv:2: ready must be a whole number >= 0"),
                new Bad("observed time going back", "t,ready,stable,panic\n4,1,2,2\n2,1,2,2\n", true, "in.csv:3: t must not decrease"));
    }

    @ParameterizedTest
    @MethodSource("bad")
    void errorsNameTheFileAndLine(Bad b) throws IOException {
        Path p = write(b.text());
        assertThatThrownBy(() -> {
            if (b.observed()) {
                SimulationInput.observed(p);
            } else {
                SimulationInput.trace(p);
            }
        }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(b.message()).hasMessageStartingWith(p.toString().replace("in.csv", ""));
    }

    @Test
    void numbersPrintPlainly() {
        assertThat(Simulate.num(8)).isEqualTo("8");
        assertThat(Simulate.num(0.454545)).isEqualTo("0.454545");
        assertThat(Simulate.num(1.0 / 3)).isEqualTo("0.333333");
        assertThat(Simulate.num(Double.NaN)).isEmpty();
    }

    @Test
    void chartStepsAreRound() {
        assertThat(SimulationChart.niceStep(218)).isEqualTo(30);
        assertThat(SimulationChart.niceStep(60)).isEqualTo(5);
        assertThat(SimulationChart.niceStep(4 * 86_400)).isEqualTo(43_200);
    }
}
