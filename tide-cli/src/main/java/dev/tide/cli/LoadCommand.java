package dev.tide.cli;

import dev.tide.api.Json;
import dev.tide.api.ResourceTypes;
import dev.tide.cli.load.LoadGenerator;
import dev.tide.common.text.GoDuration;
import dev.tide.common.time.Ticker;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tide load}: a load generator with hey's flags and hey's summary, so numbers read the same as the seeds' stress
 * tests. A target without {@code ://} is a Knative Service or InferenceService name: its URL's host goes in the Host
 * header and the request goes to Tide's ingress.
 */
@Command(name = "load", description = "Send load to a URL or a service, as hey does, and print hey's summary.")
final class LoadCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "a URL, or the name of a Knative Service or InferenceService")
    String target;

    @Option(names = "-c", defaultValue = "50", description = "concurrent workers (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "-n", defaultValue = "200", description = "requests in all (default: ${DEFAULT-VALUE}); ignored with -z")
    int requests;

    @Option(names = "-z", description = "run for this long instead of -n requests: 10s, 2m, 500ms")
    String duration;

    @Option(names = "-q", defaultValue = "0", description = "rate limit per worker, requests/second (0: none)")
    double rate;

    @Option(names = "-m", defaultValue = "GET", description = "method (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "-d", description = "request body")
    String body;

    @Option(names = "-D", description = "request body from a file")
    Path bodyFile;

    @Option(names = "-H", description = "a header, \"Name: value\"; repeatable")
    List<String> headers = new java.util.ArrayList<>();

    @Option(names = "-T", defaultValue = "text/html", description = "Content-Type (default: ${DEFAULT-VALUE})")
    String contentType;

    @Option(names = "-host", description = "the Host header")
    String host;

    @Option(names = "-t", defaultValue = "20", description = "timeout per request in seconds (default: ${DEFAULT-VALUE}; 0: none)")
    int timeoutSeconds;

    @Option(names = "-o", description = "csv (one line per request) or json (the summary) instead of hey's text")
    String output;

    /** Tide's API, to look a service up. */
    @Mixin
    ConnectionOptions api;

    @Option(names = "--ingress", defaultValue = "http://127.0.0.1:8080", description = "Tide's ingress, for a service name")
    URI ingress;

    @Option(names = "--namespace", description = "the service's namespace (default: the kubeconfig context's, else default)")
    String namespace;

    @Override
    public Integer call() throws Exception {
        URI uri = resolve();
        byte[] payload = bodyFile != null ? Files.readAllBytes(bodyFile) : body != null ? body.getBytes(java.nio.charset.StandardCharsets.UTF_8) : new byte[0];
        HttpRequest.Builder template = HttpRequest.newBuilder(uri).method(method.toUpperCase(Locale.ROOT),
                payload.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(payload));
        if (payload.length > 0) {
            template.header("Content-Type", contentType);
        }
        if (timeoutSeconds > 0) {
            template.timeout(Duration.ofSeconds(timeoutSeconds));
        }
        template.header("User-Agent", "tide-load/" + Main.version());
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("-H expects \"Name: value\", got \"" + h + "\"");
            }
            template.header(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
        }
        if (host != null) {
            template.header("Host", host);
        }
        HttpRequest request = template.build();
        Ticker ticker = Ticker.system();
        long deadline = duration == null ? Long.MAX_VALUE : ticker.nanos() + GoDuration.parse(duration).toNanos();
        boolean live = System.console() != null && output == null;
        LoadGenerator.Run run = LoadGenerator.run(request, concurrency, duration == null ? requests : Integer.MAX_VALUE, deadline, rate,
                ticker, live ? (done, seconds) -> System.err.printf("\r  %d requests, %.1f s", done, seconds) : null);
        if (live) {
            System.err.print("\r\033[K");
        }
        List<LoadGenerator.Result> all = run.results();
        double total = run.seconds();
        long start = run.startNanos();
        if ("csv".equals(output)) {
            System.out.println("response-time,status-code,offset");
            for (LoadGenerator.Result r : all) {
                System.out.printf(Locale.ROOT, "%.4f,%d,%.4f%n", r.latencyNanos() / 1e9, r.status(), (r.startNanos() - start) / 1e9);
            }
        } else if ("json".equals(output)) {
            System.out.println(Json.MAPPER.writeValueAsString(LoadGenerator.summary(all, total)));
        } else if (output == null) {
            LoadGenerator.print(all, total, System.out);
        } else {
            throw new IllegalArgumentException("-o must be csv or json, got " + output);
        }
        return 0;
    }

    /** A URL as given, or a service's URL: its host in the Host header, sent to the ingress. */
    private URI resolve() {
        if (target.contains("://")) {
            return URI.create(target);
        }
        ApiClient client = this.api.client();
        String namespace = api.namespace(this.namespace);
        Optional<String> url = client.get(ResourceTypes.SERVICE, namespace, target).map(s -> Json.text(s.path("status"), "url"))
                .or(() -> client.get(ResourceTypes.INFERENCE_SERVICE, namespace, target).map(s -> Json.text(s.path("status"), "url")));
        String u = url.orElseThrow(() -> new IllegalArgumentException("no Knative Service or InferenceService \"" + target
                + "\" with a URL in namespace " + namespace + " (is it ready? tide get ksvc,isvc)"));
        if (host == null) {
            host = URI.create(u).getHost();
        }
        String path = URI.create(u).getRawPath();
        return ingress.resolve(path == null || path.isEmpty() ? "/" : path);
    }

}
