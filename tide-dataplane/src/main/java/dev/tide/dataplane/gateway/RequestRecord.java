package dev.tide.dataplane.gateway;

import dev.tide.dataplane.observe.CompletedRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What request logs and metrics see of one exchange, filled in as it goes; strings are made only when an observer
 * asks for them. Confined to the exchange's event loop.
 */
final class RequestRecord implements CompletedRequest {

    private final String method;
    private final String uri;
    private final HttpVersion version;
    private final boolean http2;
    private final HttpHeaders headers;
    private final String clientIp;
    private final int clientPort;
    private long startNanos;
    private long endNanos;
    private long requestBytes;
    private int status;
    private long responseSize;
    private boolean replicaAnswered;
    private long replicaAddress = -1;

    RequestRecord(HttpRequest head, boolean http2, String clientIp, int clientPort) {
        this.method = head.method().name();
        this.uri = head.uri();
        this.version = head.protocolVersion();
        this.http2 = http2;
        this.headers = head.headers();
        this.clientIp = clientIp;
        this.clientPort = clientPort;
    }

    void started(long nanos) {
        startNanos = nanos;
    }

    void ended(long nanos) {
        endNanos = nanos;
    }

    void requestBytes(long n) {
        requestBytes += n;
    }

    /** The status of the response the client gets; {@code fromReplica} when a replica gave it. */
    void status(int code, boolean fromReplica) {
        status = code;
        replicaAnswered = fromReplica;
    }

    /** The replica the response came from ({@link ReplicaAddress}), for the log's PodIP. */
    void replica(long address) {
        replicaAddress = address;
    }

    void responseBytes(long n) {
        responseSize += n;
    }

    /** The body size of an answer Tide gave itself. */
    void responseSize(long n) {
        responseSize = n;
    }

    /** The time the exchange began, on the exchange's ticker. */
    long startNanos() {
        return startNanos;
    }

    String clientIp() {
        return clientIp;
    }

    HttpVersion version() {
        return version;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String requestUri() {
        return uri;
    }

    @Override
    public String proto() {
        return http2 ? "HTTP/2.0" : version.text();
    }

    @Override
    public long contentLength() {
        // Read only when an observer asks; a body without a declared length (chunked, or HTTP/2) is counted.
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        return length == null ? requestBytes : Long.parseLong(length.strip());
    }

    @Override
    public String remoteAddr() {
        return clientIp + ":" + clientPort;
    }

    @Override
    public HttpHeaders headers() {
        return headers;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public long responseSize() {
        return responseSize;
    }

    @Override
    public long latencyNanos() {
        return endNanos - startNanos;
    }

    @Override
    public String podIp() {
        return replicaAnswered && replicaAddress >= 0 ? ReplicaAddress.host(replicaAddress) : "";
    }
}
