package dev.tide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Admission;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.config.AutoscalerConfig;
import dev.tide.api.config.ClusterConfig;
import dev.tide.autoscaler.DeciderSpec;
import dev.tide.autoscaler.Metric;
import dev.tide.autoscaler.simulation.Simulation;
import dev.tide.common.text.GoDuration;
import dev.tide.common.validation.FieldErrors;
import dev.tide.common.validation.ValidationException;
import dev.tide.controlplane.reconciler.inferenceservice.InferenceServiceResources;
import dev.tide.autoscaler.AutoscalerSpec;
import dev.tide.api.resources.ResourceRequests;
import dev.tide.controlplane.plan.ScalingSpecs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tide simulate}: replays load through a service's autoscaling configuration, offline. */
@Command(name = "simulate", description = "Replay a load trace (or observed window averages) through a service's autoscaling "
        + "settings, decision by decision, before deploying it.")
final class Simulate implements Callable<Integer> {

    @Option(names = {"-f", "--filename"}, required = true, description = "a Knative Service or KServe InferenceService")
    Path service;

    @Option(names = "--config", description = "a config-autoscaler ConfigMap overlaying Knative's defaults")
    Path config;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--trace", description = "CSV t,concurrency or t,rps: the revision-wide load in each second")
        Path trace;

        @Option(names = "--observed", description = "CSV t,ready,stable,panic: window averages, one decision per row")
        Path observed;
    }

    @Option(names = "--ready-at-start", defaultValue = "0", description = "replicas ready at t=0 (default: ${DEFAULT-VALUE})")
    int readyAtStart;

    @Option(names = "--unreachable", description = "simulate a revision no route sends traffic to")
    boolean unreachable;

    @Option(names = "--start-delay", defaultValue = "2s", description = "how long a new replica takes to be ready (default: ${DEFAULT-VALUE})")
    String startDelay;

    @Option(names = "--out", description = "write the decisions there instead of standard output")
    Path out;

    @Option(names = "--chart", description = "write a self-contained HTML chart there")
    Path chart;

    @Override
    public Integer call() throws IOException {
        ClusterConfig cluster = cluster();
        JsonNode template = template(cluster);
        Map<String, String> annotations = Meta.strings(template.path("metadata").get("annotations"));
        long cc = template.path("spec").path("containerConcurrency").asLong(0);
        JsonNode container = template.path("spec").path("containers").path(0);
        AutoscalerSpec scaling = ScalingSpecs.resolve(annotations, cc, ResourceRequests.of(container), cluster, !unreachable);
        if (scaling.hpa() != null) {
            throw new IllegalArgumentException(service + ": tide simulate replays request-driven autoscaling (classes "
                    + AutoscalerConfig.KPA_CLASS + ", " + AutoscalerConfig.MPA_CLASS + "); this service uses "
                    + scaling.autoscalerClass() + " on " + scaling.metricName());
        }
        if (readyAtStart < 0) {
            throw new IllegalArgumentException("--ready-at-start: " + readyAtStart + " (expected: >= 0)");
        }
        Duration delay;
        try {
            delay = GoDuration.parse(startDelay);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--start-delay: " + e.getMessage());
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("--start-delay: " + startDelay + " (expected: >= 0s)");
        }
        DeciderSpec spec = scaling.decider();
        Simulation.Setup setup = new Simulation.Setup(scaling, readyAtStart, delay);
        List<Simulation.Row> rows;
        double[] load = null;
        if (input.trace != null) {
            SimulationInput.Trace trace = SimulationInput.trace(input.trace);
            if (trace.metric() != spec.metric()) {
                throw new IllegalArgumentException(input.trace + ": the trace is " + name(trace.metric()) + " but the service scales on "
                        + name(spec.metric()) + " (autoscaling.knative.dev/metric)");
            }
            load = trace.load();
            rows = Simulation.trace(setup, load);
        } else {
            rows = Simulation.observed(setup, SimulationInput.observed(input.observed));
        }
        String csv = render(scaling, rows);
        if (out != null) {
            Files.writeString(out, csv, StandardCharsets.UTF_8);
        } else {
            PrintStream stdout = System.out;
            stdout.print(csv);
            stdout.flush();
        }
        if (chart != null) {
            Files.writeString(chart, SimulationChart.html("tide simulate: " + service.getFileName(), rows, load, name(spec.metric())),
                    StandardCharsets.UTF_8);
        }
        return 0;
    }

    private ClusterConfig cluster() throws IOException {
        ClusterConfig cluster = ClusterConfig.defaults(ClusterConfig.DEFAULT_DOMAIN);
        if (config == null) {
            return cluster;
        }
        ObjectNode cm = ManifestFiles.read(List.of(config.toString()), false, System.in).stream().map(ManifestFiles.Manifest::object)
                .filter(o -> "ConfigMap".equals(Meta.kind(o)) && AutoscalerConfig.NAME.equals(Meta.name(o))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(config + ": no ConfigMap named " + AutoscalerConfig.NAME));
        Map<String, String> data = Meta.strings(cm.get("data"));
        FieldErrors errors = ClusterConfig.validate(AutoscalerConfig.NAME, data);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(config + ": " + errors.toString().replace("\n", "; "));
        }
        return cluster.with(AutoscalerConfig.NAME, data, ClusterConfig.DEFAULT_DOMAIN);
    }

    /** The revision template the autoscaler would see, defaulted and validated as the server would. */
    private JsonNode template(ClusterConfig cluster) {
        ObjectNode manifest = ManifestFiles.read(List.of(service.toString()), false, System.in).stream().map(ManifestFiles.Manifest::object)
                .filter(o -> ResourceTypes.byApiVersionAndKind(Meta.apiVersion(o), Meta.kind(o))
                        .filter(t -> t == ResourceTypes.SERVICE || t == ResourceTypes.INFERENCE_SERVICE).isPresent())
                .findFirst().orElseThrow(() -> new IllegalArgumentException(service + ": no Knative Service or InferenceService"));
        try {
            if (Meta.kind(manifest).equals(ResourceTypes.INFERENCE_SERVICE.kind())) {
                Admission.admit(ResourceTypes.INFERENCE_SERVICE, manifest, cluster);
                manifest = InferenceServiceResources.service(manifest, "predictor", cluster.domain());
            }
            Admission.admit(ResourceTypes.SERVICE, manifest, cluster);
        } catch (ValidationException e) {
            throw new IllegalArgumentException(service + ": " + e.getMessage().replace("\n", "; "));
        }
        return manifest.path("spec").path("template");
    }

    /** The resolved spec as {@code # key=value} lines, then one CSV row per decision. */
    static String render(AutoscalerSpec s, List<Simulation.Row> rows) {
        DeciderSpec d = s.decider();
        StringBuilder b = new StringBuilder();
        line(b, "class", s.autoscalerClass());
        line(b, "metric", name(d.metric()));
        line(b, "target", num(d.targetValue()));
        line(b, "total", num(d.totalValue()));
        line(b, "target-burst-capacity", num(d.targetBurstCapacity()));
        line(b, "panic-threshold", num(d.panicThreshold()));
        line(b, "stable-window", GoDuration.format(d.stableWindow()));
        line(b, "panic-window", GoDuration.format(d.panicWindow()));
        line(b, "max-scale-up-rate", num(d.maxScaleUpRate()));
        line(b, "max-scale-down-rate", num(d.maxScaleDownRate()));
        line(b, "min-scale", Integer.toString(s.policy().minScale()));
        line(b, "max-scale", Integer.toString(s.policy().maxScale()));
        line(b, "initial-scale", Integer.toString(s.policy().initialScale()));
        line(b, "activation-scale", Integer.toString(d.activationScale()));
        line(b, "scale-down-delay", GoDuration.format(d.scaleDownDelay()));
        line(b, "scale-to-zero-grace-period", GoDuration.format(s.policy().gracePeriod()));
        line(b, "aggregation", s.aggregation());
        if (s.predictive() != null) {
            line(b, "predictive", "days=" + s.predictive().days() + ",lead=" + GoDuration.format(s.predictive().lead()));
        }
        boolean predictive = s.predictive() != null;
        b.append("t,ready,observed_stable,observed_panic,desired,panic,excess_burst_capacity,want").append(predictive ? ",forecast\n" : "\n");
        for (Simulation.Row r : rows) {
            b.append(r.t()).append(',').append(r.ready()).append(',').append(num(r.observedStable())).append(',')
                    .append(num(r.observedPanic())).append(',').append(r.desired()).append(',').append(r.panic() ? 1 : 0).append(',')
                    .append(r.excessBurstCapacity()).append(',').append(r.want());
            if (predictive) {
                b.append(',').append(num(r.forecast()));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append("# ").append(key).append('=').append(value).append('\n');
    }

    private static String name(Metric m) {
        return m.name().toLowerCase(Locale.ROOT);
    }

    /** Whole numbers without a fraction, others with up to six decimals; empty for "no observation". */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new java.math.BigDecimal(v).setScale(6, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

}
