package dev.tide.cli;

import dev.tide.autoscaler.simulation.Simulation.Row;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML chart of a simulation (inline SVG, no scripts, nothing fetched): load on its own axis,
 * desired, wanted and ready replicas on another, panic periods shaded.
 */
final class SimulationChart {

    private static final int W = 1100;
    private static final int H = 420;
    private static final int LEFT = 60;
    private static final int RIGHT = 60;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private SimulationChart() {
    }

    /**
     * @param load per-second load, or {@code null} in observed mode (the panic-window average is drawn instead)
     */
    static String html(String title, List<Row> rows, double[] load, String metric) {
        long tLast = Math.max(1, rows.get(rows.size() - 1).t());
        long tStep = niceStep(tLast);
        long tMax = (tLast + tStep - 1) / tStep * tStep;
        double loadMax = 1;
        int replicasMax = 1;
        for (Row r : rows) {
            replicasMax = Math.max(replicasMax, Math.max(r.ready(), Math.max(r.want(), r.desired())));
            if (load == null && !Double.isNaN(r.observedPanic())) {
                loadMax = Math.max(loadMax, r.observedPanic());
            }
        }
        if (load != null) {
            for (double v : load) {
                loadMax = Math.max(loadMax, v);
            }
        }
        int replicaStep = (int) Math.max(1, Math.ceil(replicasMax / 5.0));
        replicasMax = replicaStep * 5;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns='http://www.w3.org/2000/svg' width='").append(W).append("' height='").append(H)
                .append("' font-family='sans-serif' font-size='12'>");
        // Panic periods.
        Long panicStart = null;
        for (int i = 0; i <= rows.size(); i++) {
            boolean p = i < rows.size() && rows.get(i).panic();
            if (p && panicStart == null) {
                panicStart = rows.get(i).t();
            } else if (!p && panicStart != null) {
                long end = i < rows.size() ? rows.get(i).t() : tMax;
                svg.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='#f8d7da'/>",
                        x(panicStart, tMax), TOP, x(end, tMax) - x(panicStart, tMax), H - TOP - BOTTOM));
                panicStart = null;
            }
        }
        axes(svg, tMax, tStep, loadMax, replicasMax, metric);
        // Load (right axis).
        StringBuilder loadPath = new StringBuilder();
        if (load != null) {
            int step = Math.max(1, load.length / 2000);
            for (int t = 0; t < load.length; t += step) {
                loadPath.append(t == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", x(t, tMax), y(load[t], loadMax)));
            }
        } else {
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                loadPath.append(i == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", x(r.t(), tMax),
                        y(Double.isNaN(r.observedPanic()) ? 0 : r.observedPanic(), loadMax)));
            }
        }
        svg.append("<path d='").append(loadPath).append("' fill='none' stroke='#adb5bd' stroke-width='1'/>");
        series(svg, rows, tMax, replicasMax, "#0d6efd", Row::desired, "2");
        series(svg, rows, tMax, replicasMax, "#fd7e14", Row::want, "1.5' stroke-dasharray='5,3");
        series(svg, rows, tMax, replicasMax, "#198754", Row::ready, "2.5");
        int lx = LEFT + 10;
        legend(svg, lx, "#adb5bd", load != null ? metric + " (right axis)" : "panic-window " + metric + " (right axis)");
        legend(svg, lx + 230, "#0d6efd", "desired");
        legend(svg, lx + 330, "#fd7e14", "want (after bounds)");
        legend(svg, lx + 490, "#198754", "ready");
        svg.append("<rect x='").append(lx + 570).append("' y='12' width='14' height='10' fill='#f8d7da'/>")
                .append("<text x='").append(lx + 590).append("' y='21'>panic</text>");
        svg.append("</svg>");
        return "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>" + escape(title) + "</title></head>"
                + "<body style='margin:16px'><h3 style='font-family:sans-serif'>" + escape(title) + "</h3>" + svg + "</body></html>\n";
    }

    private interface Value {
        int of(Row r);
    }

    private static void series(StringBuilder svg, List<Row> rows, long tMax, int max, String color, Value v, String width) {
        StringBuilder d = new StringBuilder();
        Integer previous = null;
        for (Row r : rows) {
            int value = Math.max(0, v.of(r));
            double px = x(r.t(), tMax);
            if (previous == null) {
                d.append(String.format(Locale.ROOT, "M%.1f,%.1f", px, yr(value, max)));
            } else {
                // Steps: a replica count holds until the next decision.
                d.append(String.format(Locale.ROOT, "L%.1f,%.1fL%.1f,%.1f", px, yr(previous, max), px, yr(value, max)));
            }
            previous = value;
        }
        svg.append("<path d='").append(d).append("' fill='none' stroke='").append(color).append("' stroke-width='").append(width).append("'/>");
    }

    /** A round step giving 5 to 12 ticks: 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 6, 12 h, 1 day. */
    static long niceStep(long span) {
        long[] steps = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400};
        for (long s : steps) {
            if (span / s <= 12) {
                return s;
            }
        }
        return 86_400 * (long) Math.ceil(span / 86_400.0 / 12);
    }

    private static String time(long t) {
        if (t % 86_400 == 0 && t > 0) {
            return t / 86_400 + "d";
        }
        if (t % 3600 == 0 && t > 0) {
            return t / 3600 + "h";
        }
        if (t % 60 == 0 && t > 0) {
            return t / 60 + "m";
        }
        return t + "s";
    }

    private static void axes(StringBuilder svg, long tMax, long tStep, double loadMax, int replicasMax, String metric) {
        int bottom = H - BOTTOM;
        svg.append("<line x1='").append(LEFT).append("' y1='").append(bottom).append("' x2='").append(W - RIGHT).append("' y2='")
                .append(bottom).append("' stroke='#333'/>");
        for (long t = 0; t <= tMax; t += tStep) {
            svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle'>%s</text>", x(t, tMax), bottom + 18, time(t)));
        }
        for (int i = 0; i <= 5; i++) {
            int replicas = replicasMax * i / 5;
            double yy = yr(replicas, replicasMax);
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' text-anchor='end'>%d</text>", LEFT - 6, yy + 4, replicas));
            svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#eee'/>", LEFT, yy, W - RIGHT, yy));
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f'>%s</text>", W - RIGHT + 6, y(loadMax * i / 5.0, loadMax) + 4,
                    trim(loadMax * i / 5.0)));
        }
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>replicas</text>", 6, TOP - 8));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>%s</text>", W - RIGHT - 10, TOP - 8, escape(metric)));
    }

    private static void legend(StringBuilder svg, int x, String color, String label) {
        svg.append("<line x1='").append(x).append("' y1='17' x2='").append(x + 18).append("' y2='17' stroke='").append(color)
                .append("' stroke-width='3'/><text x='").append(x + 24).append("' y='21'>").append(escape(label)).append("</text>");
    }

    private static double x(double t, long tMax) {
        return LEFT + (W - LEFT - RIGHT) * t / tMax;
    }

    private static double y(double v, double max) {
        return H - BOTTOM - (H - TOP - BOTTOM) * v / max;
    }

    private static double yr(int v, int max) {
        return y(v, max);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
