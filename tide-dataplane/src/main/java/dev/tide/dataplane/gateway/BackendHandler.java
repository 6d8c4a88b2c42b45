package dev.tide.dataplane.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** The replica side of a proxied request: hands each part of the response to the exchange using the connection. */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange ex = ctx.channel().attr(Exchange.EXCHANGE).get();
        if (ex == null) {
            ReferenceCountUtil.release(msg); // an idle connection has nothing to deliver
            return;
        }
        ex.fromBackend(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange ex = ctx.channel().attr(Exchange.EXCHANGE).get();
        if (ex != null) {
            ex.backendWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange ex = ctx.channel().attr(Exchange.EXCHANGE).getAndSet(null);
        if (ex != null) {
            ex.backendGone();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
