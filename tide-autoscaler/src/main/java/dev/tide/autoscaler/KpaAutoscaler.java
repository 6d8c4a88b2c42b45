package dev.tide.autoscaler;

/**
 * The request-driven classes (Knative's KPA, and the cluster default): metric windows, the KPA decider, the
 * predictive option when asked for, and the scale-to-zero rules.
 */
public final class KpaAutoscaler implements RevisionAutoscaler {

    private AutoscalerSpec spec;
    private final RevisionMetrics metrics;
    private final KpaDecider decider;
    private final PodAutoscaler pa;
    private final SeasonalForecast forecast;
    /**
     * The stat a poke recorded, subtracted from the next regular second: the gateway counts that request too, as
     * Knative's queue-proxy subtracts what the activator already reported.
     */
    private double pokeCredit;

    public KpaAutoscaler(AutoscalerSpec spec, int readyPods, Now now) {
        this.spec = spec;
        DeciderSpec d = spec.decider();
        this.metrics = new RevisionMetrics(spec.aggregation(), d.stableWindow(), d.panicWindow());
        this.decider = new KpaDecider(d, readyPods, now.epochNanos());
        this.pa = new PodAutoscaler(spec.policy(), now.monotonicNanos());
        this.forecast = spec.predictive() == null ? null : new SeasonalForecast(spec.predictive().days(), spec.predictive().lead());
    }

    @Override
    public void record(long epochSecond, Load load) {
        double concurrency = Math.max(0, load.concurrency() - pokeCredit);
        double rps = Math.max(0, load.requestsPerSecond() - pokeCredit);
        pokeCredit = 0;
        metrics.record(epochSecond, concurrency, rps);
        if (forecast != null) {
            forecast.record(epochSecond, spec.decider().metric() == Metric.RPS ? rps : concurrency);
        }
    }

    @Override
    public boolean poke(long epochSecond) {
        if (decider.desiredScale() > 0 || pokeCredit != 0) {
            return false;
        }
        metrics.record(epochSecond, 1, 1);
        pokeCredit = 1;
        return true;
    }

    @Override
    public Step decide(int readyPods, int currentReplicas, Now now) {
        // Tide's gateway sees every request, so there is no scrape target: an empty window means no traffic.
        return decide(metrics.observe(spec.decider().metric(), readyPods, false, now.epochSecond()), readyPods, currentReplicas, now);
    }

    /** Decides on averages given instead of the windows' own: replaying averages a dashboard exported. */
    public Step decide(Observation o, int readyPods, int currentReplicas, Now now) {
        DeciderSpec d = spec.decider();
        ScaleDecision decision = decider.decide(o, now.epochNanos());
        int desired = decider.desiredScale();
        double expected = Double.NaN;
        if (forecast != null) {
            // One forecast per decision, both shown (the Step) and applied: the prediction only ever adds replicas.
            expected = forecast.forecast(now.epochSecond()).orElse(Double.NaN);
            if (desired >= 0 && !Double.isNaN(expected)) {
                desired = Math.max(desired, (int) Math.ceil(expected / d.targetValue()));
            }
        }
        PodAutoscaler.Applied applied = pa.apply(desired, decider.excessBurstCapacity(), readyPods, currentReplicas, d.reachable(),
                now.monotonicNanos());
        return new Step(o, decision, desired, expected, applied);
    }

    @Override
    public void update(AutoscalerSpec next) {
        spec = next;
        decider.update(next.decider());
        metrics.resize(next.decider().stableWindow(), next.decider().panicWindow());
    }

    @Override
    public AutoscalerSpec spec() {
        return spec;
    }

    @Override
    public PodAutoscaler.Activity activity() {
        return pa.activity();
    }

    /** The predictive option's history, to persist it; {@code null} when the option is off. */
    public SeasonalForecast forecast() {
        return forecast;
    }

    public boolean panicking() {
        return decider.panicking();
    }

    public int excessBurstCapacity() {
        return decider.excessBurstCapacity();
    }
}
