package dev.tide.controlplane.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.controlplane.registry.Registry;
import dev.tide.store.StoreException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records {@code v1} Events about Tide's objects, as Kubernetes' event recorder does: callers on any thread (the
 * scaling loop, the runtime's listeners) hand an event over through a {@link Source} and return at once; one writer
 * at a time stores them. One recorder serves every source, so event names never collide.
 *
 * <p>The same event (object, type, reason and message) seen again within {@link #SERIES_WINDOW} is one Event whose
 * {@code count} and {@code lastTimestamp} grow, as Kubernetes' correlator aggregates repeats. Retention is bounded:
 * an Event not seen for {@link #TTL} (Kubernetes' default event TTL) is deleted, and beyond {@link #MAX_EVENTS} the
 * least recently seen go first, so a crash-looping replica cannot fill the store.
 */
public final class EventRecorder {

    public static final Duration SERIES_WINDOW = Duration.ofMinutes(10);
    public static final Duration TTL = Duration.ofHours(1);
    public static final int MAX_EVENTS = 1000;

    /** What an event is about: Kubernetes' {@code involvedObject}. */
    public record Reference(String apiVersion, String kind, String namespace, String name, String uid) {
        public static Reference of(JsonNode object) {
            return new Reference(Meta.apiVersion(object), Meta.kind(object), Meta.namespace(object), Meta.name(object), Meta.uid(object));
        }
    }

    /** Kubernetes' two event types. */
    public enum Type { Normal, Warning }

    private record Pending(String component, Reference about, Type type, String reason, String message, Instant at) {
    }

    private record SeriesKey(String component, Reference about, Type type, String reason, String message) {
    }

    /** Events from one component ({@code source.component}, e.g. {@code tide-autoscaler}). */
    public final class Source {
        private final String component;

        private Source(String component) {
            this.component = component;
        }

        public void normal(Reference about, String reason, String message) {
            record(component, about, Type.Normal, reason, message);
        }

        public void warning(Reference about, String reason, String message) {
            record(component, about, Type.Warning, reason, message);
        }
    }

    /** An Event as stored: its name and when it was last seen. Writer-confined. */
    private static final class Recorded {
        final String namespace;
        final String name;
        Instant last;

        Recorded(String namespace, String name, Instant last) {
            this.namespace = namespace;
            this.name = name;
            this.last = last;
        }
    }

    /** Records nothing: for tests and tools that have no API. */
    public static final EventRecorder NONE = new EventRecorder(null, InstantSource.system(), r -> { });

    private final Registry registry;
    private final InstantSource clock;
    private final Executor writer;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Writer-confined: the events stored, by what they say. */
    private final Map<SeriesKey, Recorded> series = new HashMap<>();
    private boolean loaded;
    /** Writer-confined: makes each event's name unique, as the nanoseconds in Kubernetes' names do. */
    private long sequence;

    /** @param writer where events are written (a blocking executor: a store write waits for its journal) */
    public EventRecorder(Registry registry, InstantSource clock, Executor writer) {
        this.registry = registry;
        this.clock = clock;
        this.writer = writer;
    }

    /** Where {@code component}'s events go. */
    public Source source(String component) {
        return new Source(component);
    }

    /** Hands an event over; never blocks. */
    private void record(String component, Reference about, Type type, String reason, String message) {
        if (registry == null) {
            return;
        }
        queue.add(new Pending(component, about, type, reason, message, clock.instant().truncatedTo(ChronoUnit.SECONDS)));
        if (draining.compareAndSet(false, true)) {
            writer.execute(this::drain);
        }
    }

    /** Writes what is queued, one writer at a time; an event queued while the last one finishes starts another drain. */
    private void drain() {
        try {
            // The draining flag makes this the only writer: no lock is needed.
            load();
            for (Pending p = queue.poll(); p != null; p = queue.poll()) {
                write(p);
            }
            prune(clock.instant());
        } finally {
            draining.set(false);
            if (!queue.isEmpty() && draining.compareAndSet(false, true)) {
                writer.execute(this::drain);
            }
        }
    }

    /** After a restart, the stored events join their series, so repeats keep counting and retention still applies. */
    private void load() {
        if (loaded) {
            return;
        }
        loaded = true;
        for (ObjectNode e : registry.list(ResourceTypes.EVENT, null).items()) {
            JsonNode io = e.path("involvedObject");
            Reference about = new Reference(io.path("apiVersion").asText(), io.path("kind").asText(), io.path("namespace").asText(),
                    io.path("name").asText(), io.path("uid").asText());
            Type type = "Warning".equals(e.path("type").asText()) ? Type.Warning : Type.Normal;
            String last = Json.text(e, "lastTimestamp");
            series.put(new SeriesKey(e.path("source").path("component").asText(), about, type, e.path("reason").asText(),
                    e.path("message").asText()),
                    new Recorded(Meta.namespace(e), Meta.name(e), last == null ? Instant.EPOCH : Instant.parse(last)));
        }
    }

    private void write(Pending p) {
        SeriesKey key = new SeriesKey(p.component(), p.about(), p.type(), p.reason(), p.message());
        Recorded r = series.get(key);
        if (r != null && !r.last.isBefore(p.at().minus(SERIES_WINDOW))) {
            var current = registry.get(ResourceTypes.EVENT, r.namespace, r.name);
            if (current.isPresent()) {
                ObjectNode e = current.get();
                e.put("count", e.path("count").asInt(1) + 1).put("lastTimestamp", p.at().toString());
                try {
                    registry.store().update(Registry.key(ResourceTypes.EVENT, r.namespace, r.name), e, null);
                    r.last = p.at();
                    return;
                } catch (StoreException.NotFound deleted) {
                    // a user deleted it meanwhile: a new one below
                }
            }
        }
        String name = p.about().name() + "." + Long.toHexString(p.at().getEpochSecond() * 1_000_000_000L + sequence++ % 1_000_000_000L);
        ObjectNode e = Json.object();
        e.put("apiVersion", "v1").put("kind", "Event");
        e.putObject("metadata").put("name", name).put("namespace", p.about().namespace()).put("uid", UUID.randomUUID().toString())
                .put("creationTimestamp", p.at().toString());
        e.putObject("involvedObject").put("apiVersion", p.about().apiVersion()).put("kind", p.about().kind())
                .put("namespace", p.about().namespace()).put("name", p.about().name()).put("uid", p.about().uid());
        e.put("reason", p.reason()).put("message", p.message()).put("type", p.type().name()).put("count", 1)
                .put("firstTimestamp", p.at().toString()).put("lastTimestamp", p.at().toString());
        e.putObject("source").put("component", p.component());
        e.put("reportingComponent", p.component()).put("reportingInstance", "tide");
        try {
            registry.store().create(Registry.key(ResourceTypes.EVENT, p.about().namespace(), name), e);
            series.put(key, new Recorded(p.about().namespace(), name, p.at()));
        } catch (StoreException.AlreadyExists clash) {
            // a name left by an earlier Tide in the same second: the next sequence number is free
            write(p);
        }
    }

    /** Deletes events older than the TTL, then the least recently seen beyond the cap. */
    private void prune(Instant now) {
        List<Map.Entry<SeriesKey, Recorded>> all = new ArrayList<>(series.entrySet());
        all.sort(Comparator.comparing(e -> e.getValue().last));
        int excess = all.size() - MAX_EVENTS;
        for (Map.Entry<SeriesKey, Recorded> e : all) {
            boolean expired = e.getValue().last.isBefore(now.minus(TTL));
            if (!expired && excess <= 0) {
                break;
            }
            excess--;
            series.remove(e.getKey());
            try {
                registry.store().delete(Registry.key(ResourceTypes.EVENT, e.getValue().namespace, e.getValue().name));
            } catch (StoreException.NotFound gone) {
                // deleted by a user
            }
        }
    }
}
