package dev.tide.dataplane.observe;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * A request the gateway has answered, as request logs and metrics see it: the fields of Knative's request-log
 * template. A view valid only during {@link RequestObserver#completed}: observers copy what they keep.
 */
public interface CompletedRequest {

    String method();

    /** The request target as sent: path and query. */
    String requestUri();

    /** {@code HTTP/1.1}. */
    String proto();

    /**
     * The body's length: the Content-Length header, which the gateway's aggregator sets on every request (a chunked
     * body counts its bytes, where Go would say -1); 0 without a body.
     */
    long contentLength();

    /** The client's address, {@code ip:port}. */
    String remoteAddr();

    HttpHeaders headers();

    /** The response status; 502, 503 or 504 when Tide answered for the replica. */
    int status();

    /** Response body bytes sent. */
    long responseSize();

    /** From the request's arrival to its last response byte. */
    long latencyNanos();

    /** The address of the replica that answered; empty when none did. */
    String podIp();
}
