package dev.tide.dataplane.gateway;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;

/**
 * Where an exchange gets its connection to a replica: {@link BackendPool} on an event loop, embedded channels in
 * tests. Each channel's pipeline ends in a {@link BackendHandler}. Confined to the exchange's event loop.
 */
interface Backends {

    /** An idle HTTP/1.1 connection to the replica on {@code port}, or a new one being opened. */
    Future<Channel> acquire(int port);

    /** A new HTTP/2 stream to the replica on {@code port}, speaking HTTP/1.1 message objects. */
    Future<Channel> openStream(int port);

    /** Takes back a connection whose response ended and which the replica keeps alive. */
    void release(int port, Channel c);
}
