package dev.tide.dataplane.gateway;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The response's direction of one exchange: which of the replica's messages reach the client, and the framing the
 * client can read. Confined to the exchange's event loop.
 */
final class ResponseFraming {

    private final HttpVersion clientVersion;
    private final boolean http2;
    private final boolean headRequest;
    /** The replica sent an informational (1xx) head, whose empty end is not the response's. */
    private boolean informational;
    /** The response's end is the connection's close, for a client that cannot be sent chunks (HTTP/1.0). */
    private boolean closeDelimited;
    /** Whether the replica keeps the connection alive after this response (from its response headers). */
    private boolean replicaKeepsAlive = true;

    ResponseFraming(HttpVersion clientVersion, boolean http2, String method) {
        this.clientVersion = clientVersion;
        this.http2 = http2;
        this.headRequest = "HEAD".equals(method);
    }

    /**
     * Whether {@code msg} from the replica is part of the response; if not it is released. Interim heads (103 Early
     * Hints, or a 100 the replica sent anyway) are not: the client has either had its "100 Continue" from Tide or
     * did not ask for one.
     */
    boolean passes(Object msg) {
        if (msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL
                && r.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            informational = true;
            ReferenceCountUtil.release(msg);
            return false;
        }
        if (informational && msg instanceof LastHttpContent) {
            informational = false; // the interim head's empty end
            ReferenceCountUtil.release(msg);
            return false;
        }
        return true;
    }

    /**
     * Takes the response's head: notes whether the replica keeps its connection, and gives a body the replica ends
     * by closing its connection (an HTTP/1.0 reply with neither Content-Length nor chunking) a framing the client can
     * see: chunked for an HTTP/1.1 client, whose connection then stays usable; for an HTTP/1.0 client, the close that
     * the replica meant. Example: Python's http.server answers {@code HTTP/1.0 200} with no length; an HTTP/1.1 client
     * gets {@code HTTP/1.1 200} chunked.
     */
    void head(HttpResponse r) {
        replicaKeepsAlive = HttpUtil.isKeepAlive(r);
        if (http2) {
            return; // HTTP/2 frames its own bodies
        }
        r.setProtocolVersion(clientVersion);
        int code = r.status().code();
        boolean bodyless = code < 200 || code == 204 || code == 304 || headRequest;
        if (bodyless || HttpUtil.isContentLengthSet(r) || HttpUtil.isTransferEncodingChunked(r)) {
            return;
        }
        if (clientVersion.equals(HttpVersion.HTTP_1_1)) {
            HttpUtil.setTransferEncodingChunked(r, true);
        } else {
            closeDelimited = true;
        }
    }

    boolean closeDelimited() {
        return closeDelimited;
    }

    boolean replicaKeepsAlive() {
        return replicaKeepsAlive;
    }
}
