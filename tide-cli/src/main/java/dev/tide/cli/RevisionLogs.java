package dev.tide.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tide.common.time.Scheduler;
import dev.tide.controlplane.apiserver.QueryString;
import dev.tide.dataplane.observe.RequestLog;
import dev.tide.runtime.Replica;
import dev.tide.runtime.ReplicaRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /logs/v1/namespaces/NS/revisions/NAME[?follow=true][&requests=true]}: the output of a revision's replicas,
 * each line prefixed with its replica, for {@code tide logs}; with {@code requests}, its request log instead (one
 * rendered template per line, {@code tide logs --requests}). With {@code follow} the answer stays open and new lines
 * are sent as they come (checked every 250 ms) until the client goes away.
 */
final class RevisionLogs implements HttpHandler {

    private static final long POLL_NANOS = 250_000_000L;

    private final ReplicaRuntime runtime;
    private final Scheduler scheduler;
    private final RevisionObservers observers;

    RevisionLogs(ReplicaRuntime runtime, Scheduler scheduler, RevisionObservers observers) {
        this.runtime = runtime;
        this.scheduler = scheduler;
        this.observers = observers;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String[] seg = ex.getRequestURI().getPath().split("/");
            // "", "logs", "v1", "namespaces", NS, "revisions", NAME
            if (seg.length != 7 || !seg[3].equals("namespaces") || !seg[5].equals("revisions") || !ex.getRequestMethod().equals("GET")) {
                HttpReplies.text(ex, 404, "expected GET /logs/v1/namespaces/NAMESPACE/revisions/NAME");
                return;
            }
            String ns = seg[4];
            String revision = seg[6];
            Map<String, String> query = QueryString.parse(ex.getRequestURI().getRawQuery());
            boolean follow = "true".equals(query.get("follow"));
            boolean requests = "true".equals(query.get("requests"));
            if (requests && observers.requestLog(ns, revision).isEmpty()) {
                HttpReplies.text(ex, 404, "no request log for revision " + revision + " in " + ns + ": request logging is off "
                        + "(ConfigMap config-observability in knative-serving: logging.enable-request-log: \"true\"), or no route "
                        + "sends the revision traffic yet");
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            Map<String, Long> next = new HashMap<>();
            do {
                if (requests) {
                    writeRequests(out, ns, revision, next);
                } else {
                    write(out, ns, revision, next); // throws once the client has gone
                }
                if (!follow) {
                    break;
                }
                CountDownLatch tick = new CountDownLatch(1);
                scheduler.schedule(tick::countDown, POLL_NANOS);
                if (!tick.await(5, TimeUnit.SECONDS)) {
                    return;
                }
            } while (true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeRequests(OutputStream out, String ns, String revision, Map<String, Long> next) throws IOException {
        var log = observers.requestLog(ns, revision);
        if (log.isEmpty()) {
            return;
        }
        RequestLog.Page page = log.get().since(next.getOrDefault("", 0L));
        StringBuilder b = new StringBuilder();
        page.lines().forEach(l -> b.append(l).append('\n'));
        next.put("", page.next());
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void write(OutputStream out, String ns, String revision, Map<String, Long> next) throws IOException {
        List<Replica> replicas = runtime.replicas().stream()
                .filter(r -> r.namespace().equals(ns) && r.revision().equals(revision)).toList();
        StringBuilder b = new StringBuilder();
        for (Replica r : replicas) {
            ReplicaRuntime.Output o = runtime.output(r.id(), next.getOrDefault(r.id(), 0L));
            o.lines().forEach(l -> b.append('[').append(r.id()).append("] ").append(l).append('\n'));
            next.put(r.id(), o.nextLine());
        }
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
