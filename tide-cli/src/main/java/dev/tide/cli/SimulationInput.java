package dev.tide.cli;

import dev.tide.autoscaler.Metric;
import dev.tide.autoscaler.simulation.Simulation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads {@code tide simulate}'s CSV inputs; every error names the file and line. */
final class SimulationInput {

    /** A load trace: {@code load[t]} for each second from 0, and which metric it is. */
    record Trace(Metric metric, double[] load) {
    }

    private SimulationInput() {
    }

    /** {@code t,concurrency} or {@code t,rps}: whole seconds from 0, increasing; missing seconds carry no load. */
    static Trace trace(Path file) {
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        String header = read(file, rows, lineNumbers);
        Metric metric = switch (header) {
            case "t,concurrency" -> Metric.CONCURRENCY;
            case "t,rps" -> Metric.RPS;
            default -> throw new IllegalArgumentException(file + ":1: expected the header t,concurrency or t,rps, got " + header);
        };
        long last = -1;
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String where = file + ":" + lineNumbers.get(i);
            String[] r = rows.get(i);
            columns(r, 2, where, header);
            long t = wholeSecond(r[0], where);
            if (t <= last) {
                throw new IllegalArgumentException(where + ": t must increase (" + t + " after " + last + ")");
            }
            double v = number(r[1], where, "load");
            if (v < 0) {
                throw new IllegalArgumentException(where + ": load must be >= 0, got " + r[1]);
            }
            points.add(new double[] {t, v});
            last = t;
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException(file + ": no data rows");
        }
        if (last > 31L * 24 * 3600) {
            throw new IllegalArgumentException(file + ": a trace may span at most 31 days, this one " + last + " s");
        }
        double[] load = new double[(int) last + 1];
        for (double[] p : points) {
            load[(int) p[0]] = p[1];
        }
        return new Trace(metric, load);
    }

    /** {@code t,ready,stable,panic}: one decision per row, in order; rows may share a t. */
    static List<Simulation.ObservedRow> observed(Path file) {
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        String header = read(file, rows, lineNumbers);
        if (!header.equals("t,ready,stable,panic")) {
            throw new IllegalArgumentException(file + ":1: expected the header t,ready,stable,panic, got " + header);
        }
        List<Simulation.ObservedRow> out = new ArrayList<>();
        long last = Long.MIN_VALUE;
        for (int i = 0; i < rows.size(); i++) {
            String where = file + ":" + lineNumbers.get(i);
            String[] r = rows.get(i);
            columns(r, 4, where, header);
            long t = wholeSecond(r[0], where);
            if (t < last) {
                throw new IllegalArgumentException(where + ": t must not decrease (" + t + " after " + last + ")");
            }
            last = t;
            double ready = number(r[1], where, "ready");
            if (ready < 0 || ready != Math.rint(ready)) {
                throw new IllegalArgumentException(where + ": ready must be a whole number >= 0, got " + r[1]);
            }
            out.add(new Simulation.ObservedRow(t, (int) ready, number(r[2], where, "stable"), number(r[3], where, "panic")));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no data rows");
        }
        return out;
    }

    private static String read(Path file, List<String[]> rows, List<Integer> lineNumbers) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String header = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (header == null) {
                header = line.replace(" ", "").toLowerCase(Locale.ROOT);
                continue;
            }
            rows.add(line.split("\\s*,\\s*", -1));
            lineNumbers.add(i + 1);
        }
        if (header == null) {
            throw new IllegalArgumentException(file + ": empty file");
        }
        return header;
    }

    private static void columns(String[] r, int n, String where, String header) {
        if (r.length != n) {
            throw new IllegalArgumentException(where + ": expected " + n + " columns (" + header + "), got " + r.length);
        }
    }

    private static long wholeSecond(String s, String where) {
        try {
            long t = Long.parseLong(s.strip());
            if (t < 0) {
                throw new NumberFormatException();
            }
            return t;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": t must be a whole number of seconds >= 0, got \"" + s + "\"");
        }
    }

    private static double number(String s, String where, String column) {
        try {
            double v = Double.parseDouble(s.strip());
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + column + " must be a number, got \"" + s + "\"");
        }
    }
}
