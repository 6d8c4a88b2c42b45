package dev.tide.dataplane.gateway;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;

/**
 * Where an exchange gets its connection to a replica: {@link BackendPool} on an event loop, embedded channels in
 * tests. Each channel's pipeline ends in a {@link BackendHandler}. Confined to the exchange's event loop.
 */
interface Backends {

    /** An idle HTTP/1.1 connection to the replica at {@code address} ({@link ReplicaAddress}), or a new one being opened. */
    Future<Channel> acquire(long address);

    /** A new HTTP/2 stream to the replica at {@code address}, speaking HTTP/1.1 message objects. */
    Future<Channel> openStream(long address);

    /** Takes back a connection whose response ended and which the replica keeps alive. */
    void release(long address, Channel c);
}
