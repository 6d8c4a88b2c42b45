package dev.tide.dataplane.observe;

import dev.tide.common.template.GoTemplate;
import dev.tide.common.template.GoValues;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One revision's request log, as Knative's queue-proxy writes it when {@code logging.enable-request-log} is on: one
 * line per answered request, rendered from {@code logging.request-log-template} over the fields Knative gives it.
 * Rendered after the response's last byte went out, so logging never holds a response back. The last
 * {@value #KEEP} lines are kept for {@code tide logs --requests}. The fields are
 * {@link dev.tide.common.template.RequestLogFields}.
 */
public final class RequestLog implements RequestObserver {

    static final int KEEP = 10_000;

    private final GoTemplate template;
    private final String namespace;
    private final String revision;
    private final String service;
    private final String configuration;
    private final String[] lines = new String[KEEP];
    /** Lines written so far; line n is at {@code n % KEEP} while {@code n >= written - KEEP}. Guarded by this. */
    private long written;

    public RequestLog(GoTemplate template, String namespace, String service, String configuration, String revision) {
        this.template = template;
        this.namespace = namespace;
        this.service = service;
        this.configuration = configuration;
        this.revision = revision;
    }

    @Override
    public void completed(CompletedRequest r) {
        String line = template.render(path -> field(r, path));
        synchronized (this) {
            lines[(int) (written % KEEP)] = line;
            written++;
        }
    }

    /** The lines from number {@code from} on (the oldest kept when older), and the number to ask for next. */
    public synchronized Page since(long from) {
        long start = Math.max(from, Math.max(0, written - KEEP));
        List<String> out = new ArrayList<>((int) Math.max(0, written - start));
        for (long n = start; n < written; n++) {
            out.add(lines[(int) (n % KEEP)]);
        }
        return new Page(out, written);
    }

    /** Lines and the number of the next one. */
    public record Page(List<String> lines, long next) {
    }

    private Object field(CompletedRequest r, String[] path) {
        String group = path.length > 0 ? path[0] : "";
        String name = path.length > 1 ? path[1] : "";
        return switch (group) {
            case "Request" -> switch (name) {
                case "Method" -> r.method();
                case "RequestURI" -> r.requestUri();
                case "URL" -> r.requestUri();
                case "Proto" -> r.proto();
                case "ProtoMajor" -> (long) r.proto().charAt(5) - '0';
                case "ProtoMinor" -> r.proto().length() > 7 ? (long) r.proto().charAt(7) - '0' : 0L;
                case "Host" -> orEmpty(r.headers().get(HttpHeaderNames.HOST));
                case "ContentLength" -> r.contentLength();
                case "UserAgent" -> orEmpty(r.headers().get(HttpHeaderNames.USER_AGENT));
                case "Referer" -> orEmpty(r.headers().get(HttpHeaderNames.REFERER));
                case "RemoteAddr" -> r.remoteAddr();
                case "Header" -> new Headers(r);
                default -> null;
            };
            case "Response" -> switch (name) {
                case "Code" -> (long) r.status();
                case "Size" -> r.responseSize();
                // Go's time.Duration.Seconds(): a float64 of seconds, 9.998150996 for 9998150996 ns.
                case "Latency" -> r.latencyNanos() / 1e9;
                default -> null;
            };
            case "Revision" -> switch (name) {
                case "Name" -> revision;
                case "Namespace" -> namespace;
                case "Service" -> service;
                case "Configuration" -> configuration;
                case "PodName" -> revision;
                case "PodIP" -> r.podIp();
                default -> null;
            };
            default -> null;
        };
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Go's {@code http.Header}: canonical names ({@code X-B3-Traceid}) to values; a non-canonical key finds nothing. */
    private record Headers(CompletedRequest r) implements GoValues.Lookup {

        @Override
        public Object get(String key) {
            return key.equals(canonical(key)) ? r.headers().getAll(key) : List.of();
        }

        @Override
        public Map<String, ?> entries() {
            Map<String, List<String>> m = new TreeMap<>();
            for (Map.Entry<String, String> e : r.headers()) {
                m.computeIfAbsent(canonical(e.getKey()), k -> new ArrayList<>()).add(e.getValue());
            }
            return m;
        }

        /** Go's {@code textproto.CanonicalMIMEHeaderKey}: {@code x-b3-traceid} is {@code X-B3-Traceid}. */
        static String canonical(String key) {
            StringBuilder b = new StringBuilder(key.length());
            boolean upper = true;
            for (char c : key.toCharArray()) {
                b.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
                upper = c == '-';
            }
            return b.toString();
        }
    }
}
