package dev.tide.dataplane.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The replica side of a proxied request: hands what happens on a replica's connection to the exchange using it
 * (attached while it does). Confined to the connection's event loop.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    /** What an exchange hears from the replica's connection it uses. */
    interface Listener {
        /** A part of the response. */
        void fromBackend(Object msg);

        /** The replica's connection has delivered all it read this time: what was written for it can be flushed. */
        void backendReadComplete();

        /** The connection can take more (or less) of the request now. */
        void backendWritabilityChanged();

        /** The connection closed or failed. */
        void backendGone(Channel backend);
    }

    private Listener listener;

    /** The handler at the end of {@code backend}'s pipeline. */
    static BackendHandler of(Channel backend) {
        return backend.pipeline().get(BackendHandler.class);
    }

    /** Sends what happens on this connection to {@code l} ({@code null}: to no one, as for an idle connection). */
    void attach(Listener l) {
        this.listener = l;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener == null) {
            ReferenceCountUtil.release(msg); // an idle connection has nothing to deliver
            return;
        }
        listener.fromBackend(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.backendReadComplete();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.backendWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Listener l = listener;
        listener = null;
        if (l != null) {
            l.backendGone(ctx.channel());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
