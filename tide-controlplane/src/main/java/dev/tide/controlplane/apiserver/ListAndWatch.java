package dev.tide.controlplane.apiserver;

import static dev.tide.controlplane.apiserver.ApiExchanges.JSON;
import static dev.tide.controlplane.apiserver.ApiExchanges.sendJson;
import static dev.tide.controlplane.apiserver.ApiExchanges.wantsTable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceType;
import dev.tide.common.time.Ticker;
import dev.tide.controlplane.registry.ApiException;
import dev.tide.store.Listing;
import dev.tide.store.Watch;
import dev.tide.store.WatchEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * {@code GET} of a collection, as a list or a watch, with field and label selectors and server-side Tables, the same
 * for stored kinds and for views (the pods): each gives its listing and how to watch it.
 */
final class ListAndWatch {

    private final InstantSource clock;
    private final Ticker ticker;
    private final BooleanSupplier closing;

    /** @param closing whether the server is stopping: watches end */
    ListAndWatch(InstantSource clock, Ticker ticker, BooleanSupplier closing) {
        this.clock = clock;
        this.ticker = ticker;
        this.closing = closing;
    }

    void list(HttpExchange ex, ResourceType type, Listing listing, Map<String, String> query) throws IOException {
        Predicate<JsonNode> selected = selector(type, query);
        List<ObjectNode> items = listing.items().stream().filter(selected).toList();
        String rv = Long.toString(listing.resourceVersion());
        if (wantsTable(ex)) {
            sendJson(ex, 200, Tables.table(type, items, rv, clock.instant(), "Object".equals(query.get("includeObject"))), List.of());
            return;
        }
        ObjectNode list = Json.object();
        list.put("apiVersion", type.apiVersion()).put("kind", type.kind() + "List");
        list.putObject("metadata").put("resourceVersion", rv);
        var array = list.putArray("items");
        items.forEach(array::add);
        sendJson(ex, 200, list, List.of());
    }

    /**
     * Streams changes as newline-separated {@code {"type":..., "object":...}} events, flushed one by one, until the
     * client goes away, {@code timeoutSeconds} passes, or the server stops. Without a {@code resourceVersion}
     * (or with 0) the current objects come first as {@code ADDED}, as Kubernetes does.
     */
    /** How a kind's changes are watched from a resource version: the store's watch, or a view's. */
    @FunctionalInterface
    interface Watcher {
        Watch from(long resourceVersion);
    }

    /** @param current the objects now, sent first as {@code ADDED} when the client gives no resource version */
    void watch(HttpExchange ex, ResourceType type, java.util.function.Supplier<Listing> current, Watcher watcher, Map<String, String> query) throws IOException {
        boolean table = wantsTable(ex);
        Predicate<JsonNode> selected = selector(type, query);
        String rvParam = query.get("resourceVersion");
        List<WatchEvent> initial = new ArrayList<>();
        long from;
        if (rvParam == null || rvParam.isEmpty() || rvParam.equals("0")) {
            Listing listing = current.get();
            listing.items().forEach(o -> initial.add(new WatchEvent(WatchEvent.Type.ADDED, null, o, listing.resourceVersion())));
            from = listing.resourceVersion();
        } else {
            try {
                from = Long.parseLong(rvParam);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid resourceVersion: " + rvParam);
            }
        }
        long timeoutNanos = query.containsKey("timeoutSeconds")
                ? Duration.ofSeconds(Long.parseLong(query.get("timeoutSeconds"))).toNanos() : Long.MAX_VALUE;
        long start = ticker.nanos();
        try (Watch w = watcher.from(from)) {
            ex.getResponseHeaders().set("Content-Type", JSON);
            ex.getResponseHeaders().set("Cache-Control", "no-cache, private");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            for (WatchEvent e : initial) {
                if (selected.test(e.object())) {
                    writeEvent(out, type, e, table);
                }
            }
            out.flush();
            while (!closing.getAsBoolean() && !w.isClosed() && ticker.nanos() - start < timeoutNanos) {
                WatchEvent e;
                try {
                    e = w.poll(Duration.ofMillis(500));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (e != null && selected.test(e.object())) {
                    writeEvent(out, type, e, table);
                    out.flush();
                }
            }
        }
    }

    private void writeEvent(OutputStream out, ResourceType type, WatchEvent e, boolean table) throws IOException {
        ObjectNode event = Json.object();
        event.put("type", e.type().name());
        event.set("object", table
                ? Tables.table(type, List.of(e.object()), Long.toString(e.resourceVersion()), clock.instant(), false)
                : e.object());
        out.write((Json.write(event) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** {@code fieldSelector} ({@link FieldSelector}) and {@code labelSelector} ({@link LabelSelector}), as kubectl sends them. */
    private static Predicate<JsonNode> selector(ResourceType type, Map<String, String> query) {
        Predicate<JsonNode> p;
        Predicate<Map<String, String>> labels;
        try {
            p = FieldSelector.parse(type, query.get("fieldSelector"));
            labels = LabelSelector.parse(query.get("labelSelector"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        return p.and(o -> labels.test(Meta.labels(o)));
    }
}
