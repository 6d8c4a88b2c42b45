package dev.tide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Prints a server-side {@code Table} the way kubectl does: upper-case headers, columns padded by three spaces. */
final class TablePrinter {

    private TablePrinter() {
    }

    static void print(JsonNode table, boolean withNamespace, PrintStream out) {
        List<String> headers = new ArrayList<>();
        if (withNamespace) {
            headers.add("NAMESPACE");
        }
        for (JsonNode c : table.path("columnDefinitions")) {
            headers.add(c.path("name").asText().toUpperCase(Locale.ROOT));
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode r : table.path("rows")) {
            List<String> cells = new ArrayList<>();
            if (withNamespace) {
                cells.add(r.path("object").path("metadata").path("namespace").asText());
            }
            for (JsonNode cell : r.path("cells")) {
                cells.add(cell.isNull() ? "" : cell.asText());
            }
            rows.add(cells);
        }
        if (rows.isEmpty()) {
            out.println("No resources found.");
            return;
        }
        int[] widths = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], i < row.size() ? row.get(i).length() : 0);
            }
        }
        printRow(headers, widths, out);
        rows.forEach(r -> printRow(r, widths, out));
    }

    private static void printRow(List<String> cells, int[] widths, PrintStream out) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            String c = i < cells.size() ? cells.get(i) : "";
            sb.append(c);
            if (i < widths.length - 1) {
                sb.append(" ".repeat(widths[i] - c.length() + 3));
            }
        }
        out.println(sb.toString().stripTrailing());
    }
}
