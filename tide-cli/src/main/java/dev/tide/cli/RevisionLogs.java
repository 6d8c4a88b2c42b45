package dev.tide.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tide.common.time.Scheduler;
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
 * {@code GET /logs/v1/namespaces/NS/revisions/NAME[?follow=true]}: the output of a revision's replicas, each line
 * prefixed with its replica, for {@code tide logs}. With {@code follow} the answer stays open and new lines are sent
 * as the replicas print them (checked every 250 ms) until the client goes away.
 */
final class RevisionLogs implements HttpHandler {

    private static final long POLL_NANOS = 250_000_000L;

    private final ReplicaRuntime runtime;
    private final Scheduler scheduler;

    RevisionLogs(ReplicaRuntime runtime, Scheduler scheduler) {
        this.runtime = runtime;
        this.scheduler = scheduler;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String[] seg = ex.getRequestURI().getPath().split("/");
            // "", "logs", "v1", "namespaces", NS, "revisions", NAME
            if (seg.length != 7 || !seg[3].equals("namespaces") || !seg[5].equals("revisions") || !ex.getRequestMethod().equals("GET")) {
                byte[] b = "expected GET /logs/v1/namespaces/NAMESPACE/revisions/NAME\n".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(404, b.length);
                ex.getResponseBody().write(b);
                return;
            }
            String ns = seg[4];
            String revision = seg[6];
            boolean follow = String.valueOf(ex.getRequestURI().getQuery()).contains("follow=true");
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            Map<String, Long> next = new HashMap<>();
            write(out, ns, revision, next);
            while (follow) {
                CountDownLatch tick = new CountDownLatch(1);
                scheduler.schedule(tick::countDown, POLL_NANOS);
                if (!tick.await(5, TimeUnit.SECONDS)) {
                    return;
                }
                write(out, ns, revision, next); // throws once the client has gone
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
