package dev.tide.dataplane.gateway;

import dev.tide.dataplane.ServingException.Malformed;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * The rules an HTTP/1.x request head must pass before it is routed, with nginx's answers: a line or headers over the
 * limits ({@code 414}, {@code 431}), a version other than 1.0 and 1.1 ({@code 505}), and heads a proxy must not pass on
 * because the replica could read them differently from Tide: a second {@code Host} or {@code Content-Length}, or an
 * HTTP/1.1 request without {@code Host} ({@code 400}, RFC 9112 section 3.2 and 6.3). Pure: the head in, the refusal out; the connection closes after it.
 */
final class HeadRules {

    private HeadRules() {
    }

    /**
     * A request sent to Tide as to a proxy carries its target in absolute form ({@code GET http://hello.default/v1/models
     * HTTP/1.1}): it becomes origin form ({@code /v1/models}) with that authority as its Host, which RFC 9112 section 3.2.2
     * says wins over a Host header. Only hosts Tide routes are reached, so the ingress is no open proxy. Worked example:
     * {@code http://a.b:8080?x=1} gives Host {@code a.b:8080} and target {@code /?x=1}.
     */
    static void originForm(HttpRequest head) {
        String uri = head.uri();
        int scheme = uri.regionMatches(true, 0, "http://", 0, 7) ? 7 : uri.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
        if (scheme < 0) {
            return;
        }
        int end = uri.length();
        for (int i = scheme; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String authority = uri.substring(scheme, end);
        int at = authority.lastIndexOf('@');
        String rest = uri.substring(end);
        head.headers().set(HttpHeaderNames.HOST, at >= 0 ? authority.substring(at + 1) : authority);
        head.setUri(rest.isEmpty() || rest.charAt(0) != '/' ? "/" + rest : rest);
    }

    /** The refusal for one HTTP/2 stream's head (HTTP/2's own codec has checked its framing and sizes), or null. */
    static Malformed checkStream(HttpRequest head) {
        return head.decoderResult().isSuccess() ? null
                : new Malformed(HttpResponseStatus.BAD_REQUEST.code(), "malformed request: " + head.decoderResult().cause().getMessage());
    }

    /** The refusal for an HTTP/1.x {@code head}, or {@code null} when it may be routed. */
    static Malformed check(HttpRequest head, ClientLimits limits) {
        if (!head.decoderResult().isSuccess()) {
            Throwable cause = head.decoderResult().cause();
            if (cause instanceof TooLongHttpLineException) {
                return new Malformed(HttpResponseStatus.REQUEST_URI_TOO_LONG.code(), "request line longer than " + limits.maxRequestLine() + " bytes");
            }
            if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
                return new Malformed(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE.code(),
                        "request headers longer than " + limits.maxHeaderBytes() + " bytes");
            }
            return new Malformed(HttpResponseStatus.BAD_REQUEST.code(), "malformed request: " + cause.getMessage());
        }
        HttpVersion v = head.protocolVersion();
        if (!v.equals(HttpVersion.HTTP_1_1) && !v.equals(HttpVersion.HTTP_1_0)) {
            return new Malformed(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED.code(), "HTTP version " + v.text() + " is not supported");
        }
        int hosts = head.headers().getAll(HttpHeaderNames.HOST).size();
        if (hosts > 1) {
            return new Malformed(HttpResponseStatus.BAD_REQUEST.code(), "more than one Host header");
        }
        if (hosts == 0 && v.equals(HttpVersion.HTTP_1_1)) {
            return new Malformed(HttpResponseStatus.BAD_REQUEST.code(), "an HTTP/1.1 request needs a Host header");
        }
        if (head.headers().getAll(HttpHeaderNames.CONTENT_LENGTH).size() > 1) {
            return new Malformed(HttpResponseStatus.BAD_REQUEST.code(), "more than one Content-Length header");
        }
        return null;
    }
}
