package dev.tide.dataplane.gateway;

import java.time.Duration;

/**
 * What one client may hold of the ingress, with nginx's defaults where nginx has one.
 *
 * @param headTimeout     how long a request head may take to arrive in full, from its first byte (or from the
 *                        connection's start): then {@code 408} and the connection closes (nginx's
 *                        {@code client_header_timeout}, 60 s). A slow client cannot hold a connection by sending a byte
 *                        now and then.
 * @param idleTimeout     how long a keep-alive connection may sit between requests before it is closed, and an HTTP/2
 *                        connection with nothing read or written (nginx's {@code keepalive_timeout}, 75 s)
 * @param maxConnections  open client connections at most; at the cap the listener stops accepting (the kernel's
 *                        backlog holds the rest) until one closes
 * @param maxRequestLine  bytes of a request line at most, else {@code 414} (nginx's 8 KiB buffer)
 * @param maxHeaderBytes  bytes of all header lines at most, else {@code 431} (nginx's 4 buffers of 8 KiB)
 */
public record ClientLimits(Duration headTimeout, Duration idleTimeout, int maxConnections, int maxRequestLine,
                           int maxHeaderBytes) {

    /** nginx's timeouts and sizes; the connection cap is the launcher's to size from the process's file limit. */
    public static final ClientLimits DEFAULT = new ClientLimits(Duration.ofSeconds(60), Duration.ofSeconds(75), 10_000,
            8 << 10, 32 << 10);

    public ClientLimits {
        if (headTimeout.isNegative() || headTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("client timeouts must be positive: head " + headTimeout + ", idle " + idleTimeout);
        }
        if (maxConnections < 1 || maxRequestLine < 64 || maxHeaderBytes < 256) {
            throw new IllegalArgumentException("expected maxConnections >= 1, maxRequestLine >= 64, maxHeaderBytes >= 256: "
                    + maxConnections + ", " + maxRequestLine + ", " + maxHeaderBytes);
        }
    }

    public ClientLimits withMaxConnections(int n) {
        return new ClientLimits(headTimeout, idleTimeout, n, maxRequestLine, maxHeaderBytes);
    }
}
