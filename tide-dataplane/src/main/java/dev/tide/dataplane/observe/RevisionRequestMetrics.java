package dev.tide.dataplane.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;

/**
 * One revision's request metrics under Knative queue-proxy's names and labels, so Knative's dashboards and alerts
 * read them: {@code revision_request_count} by {@code response_code} and {@code response_code_class}, and
 * {@code revision_request_latencies} in milliseconds with Knative's buckets; plus {@code revision_queue_depth}
 * (requests admitted or waiting at the revision's gate) and {@code tide_revision_requests_waiting}.
 *
 * <p>Per request: one array read and two lock-free adds once a status code has been seen.
 */
public final class RevisionRequestMetrics implements RequestObserver, AutoCloseable {

    /** Knative's request-latency buckets, in milliseconds. */
    static final double[] LATENCY_BUCKETS_MS = {5, 10, 20, 40, 60, 80, 100, 150, 200, 250, 300, 350, 400, 450, 500, 600, 700,
        800, 900, 1000, 2000, 5000, 10000, 20000, 50000, 100000};

    private final MeterRegistry registry;
    private final Tags tags;
    private final AtomicReferenceArray<Counter> byCode = new AtomicReferenceArray<>(600);
    private final DistributionSummary latency;
    private final List<Meter> meters = new ArrayList<>();

    /**
     * @param inFlight requests admitted by the revision's gate and not yet answered
     * @param waiting  requests queued at the gate (the activator's buffer while scaling from zero)
     */
    public RevisionRequestMetrics(MeterRegistry registry, String namespace, String service, String configuration, String revision,
                                  IntSupplier inFlight, IntSupplier waiting) {
        this.registry = registry;
        this.tags = Tags.of("namespace_name", namespace, "service_name", service, "configuration_name", configuration,
                "revision_name", revision);
        this.latency = DistributionSummary.builder("revision_request_latencies")
                .description("The response time in millisecond").tags(tags).serviceLevelObjectives(LATENCY_BUCKETS_MS)
                .register(registry);
        meters.add(latency);
        meters.add(Gauge.builder("revision_queue_depth", () -> inFlight.getAsInt() + waiting.getAsInt())
                .description("The current number of items in the serving and waiting queue").tags(tags).register(registry));
        meters.add(Gauge.builder("tide_revision_requests_waiting", waiting::getAsInt)
                .description("Requests waiting at the revision's gate for a replica or a free slot").tags(tags).register(registry));
    }

    @Override
    public void completed(CompletedRequest request) {
        int code = request.status();
        if (code < 100 || code >= 600) {
            return;
        }
        Counter c = byCode.get(code);
        if (c == null) {
            c = Counter.builder("revision_request_count").description("The number of requests that are routed to queue-proxy")
                    .tags(tags).tag("response_code", Integer.toString(code)).tag("response_code_class", code / 100 + "xx")
                    .register(registry);
            byCode.set(code, c);
            synchronized (meters) {
                meters.add(c);
            }
        }
        c.increment();
        latency.record(request.latencyNanos() / 1e6);
    }

    /** Removes this revision's meters (the revision is no longer served). */
    @Override
    public void close() {
        synchronized (meters) {
            meters.forEach(registry::remove);
            meters.clear();
        }
    }
}
