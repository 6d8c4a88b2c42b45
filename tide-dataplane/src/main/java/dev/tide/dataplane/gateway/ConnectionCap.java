package dev.tide.dataplane.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps a listener's open connections: at the cap it stops accepting, so new clients wait in the kernel's backlog
 * (and are refused by it once that is full) rather than taking file descriptors the process needs for replicas, its
 * API and its store; it accepts again as soon as one closes. Without it, 19,950 connections that never sent a full
 * request head took every descriptor, and the ingress, {@code /readyz} and {@code kubectl} all stopped answering.
 *
 * <p>Sits in the listening channel's pipeline, ahead of Netty's acceptor. Threading: accepts and the pause happen on
 * the listener's event loop; connections close on their own loops, which count down and hand the resume back to it.
 */
final class ConnectionCap extends ChannelInboundHandlerAdapter {

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    /** Written on the listener's loop only; read by closing connections to know whether to wake it. */
    private volatile boolean paused;
    private Channel listener;
    private final ChannelFutureListener onClose;

    ConnectionCap(int max) {
        this.max = max;
        this.onClose = f -> {
            if (open.decrementAndGet() < max && paused) {
                listener.eventLoop().execute(this::resumeIfBelowCap);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        listener = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        int n = open.incrementAndGet();
        if (n > max) {
            // Accepted in the same read burst as the one that reached the cap: not served.
            open.decrementAndGet();
            child.unsafe().closeForcibly();
            return;
        }
        child.closeFuture().addListener(onClose);
        if (n == max) {
            paused = true;
            listener.config().setAutoRead(false);
            resumeIfBelowCap(); // one may have closed before paused was set, and woken nobody
        }
        ctx.fireChannelRead(child);
    }

    private void resumeIfBelowCap() {
        if (paused && open.get() < max) {
            paused = false;
            listener.config().setAutoRead(true);
        }
    }

    int open() {
        return open.get();
    }
}
