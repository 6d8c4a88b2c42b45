package dev.tide.controlplane.scaling;

import dev.tide.autoscaler.AutoscalerSpec;
import dev.tide.autoscaler.Metric;
import dev.tide.autoscaler.Observation;
import dev.tide.autoscaler.RevisionAutoscaler;
import dev.tide.autoscaler.ScaleDecision;
import java.util.Locale;

/**
 * The Event a scaling step makes: {@code ScaledUp} or {@code ScaledDown}, with why in the message: the activation by
 * a request, the stable or panic window, the predictive forecast, the HPA's utilization, scale to zero, or the scale
 * bounds. Pure. Worked example: 2 ready replicas, the panic window at 45.2 in flight, target 10, scaled 2 -> 5 gives
 * "Scaled from 2 to 5 replicas (panic: 45.2 in flight over the panic window, target 10 per replica)".
 */
final class ScalingEvents {

    /** An event's reason and message. */
    record Event(String reason, String message) {
    }

    private ScalingEvents() {
    }

    /**
     * @param poked whether a request reaching the revision with no replica ready made this decision
     */
    static Event of(int from, int to, RevisionAutoscaler.Step step, AutoscalerSpec spec, boolean poked) {
        return new Event(to > from ? "ScaledUp" : "ScaledDown", "Scaled from " + from + " to " + to + " replicas (" + why(to, step, spec, poked) + ")");
    }

    private static String why(int to, RevisionAutoscaler.Step step, AutoscalerSpec spec, boolean poked) {
        if (poked && to > 0) {
            return "activation: a request arrived with no replica ready";
        }
        if (to == 0) {
            return spec.hpa() != null ? "no route sends it traffic" : "scale to zero: no traffic for the stable window and the grace period";
        }
        String bounded = step.applied().want() != step.desired() ? "; bounded by min-scale, max-scale or initial-scale" : "";
        if (spec.hpa() != null) {
            if (step.observation() instanceof Observation.Metrics m && step.decision() instanceof ScaleDecision.Scale) {
                return String.format(Locale.ROOT, "hpa: %s at %.0f%% of the request, target %.0f%%", spec.metricName(), m.stable(),
                        spec.hpa().targetPercent()) + bounded;
            }
            return "initial scale";
        }
        double target = spec.decider().targetValue();
        String unit = spec.decider().metric() == Metric.RPS ? "requests/s" : "in flight";
        if (step.decision() instanceof ScaleDecision.Scale s && step.observation() instanceof Observation.Metrics m) {
            if (step.desired() > s.desired()) {
                return String.format(Locale.ROOT, "predictive: %s %s expected %s ahead, target %s per replica", num(step.forecast()), unit,
                        dev.tide.common.text.GoDuration.format(spec.predictive().lead()), num(target)) + bounded;
            }
            return s.panicking()
                    ? String.format(Locale.ROOT, "panic: %s %s over the panic window, target %s per replica", num(m.panic()), unit, num(target)) + bounded
                    : String.format(Locale.ROOT, "stable: %s %s over the stable window, target %s per replica", num(m.stable()), unit, num(target)) + bounded;
        }
        return "min-scale, max-scale or initial-scale";
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
