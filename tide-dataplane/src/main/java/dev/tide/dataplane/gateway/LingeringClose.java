package dev.tide.dataplane.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.1 connection the way nginx's {@code lingering_close} does: the last answer goes out with a FIN,
 * and what the client still sends is read and dropped until it closes its side or {@link #TIMEOUT} passes. Closing
 * outright while the client's bytes sit unread in the socket makes the kernel answer with a reset, and a reset can
 * destroy the answer before the client reads it: a {@code 431} for 40 kB of headers arrived as "Connection reset".
 *
 * <p>Installed first in the pipeline, so nothing after it sees what the client sends any more.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {

    /** nginx's {@code lingering_timeout}. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private LingeringClose() {
    }

    /** Flushes what was written, then half-closes and drains {@code ch} until the client leaves or the timeout. */
    static void close(Channel ch) {
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (!f.isSuccess() || !ch.isActive() || !(ch instanceof DuplexChannel duplex) || duplex.isInputShutdown()) {
                ch.close();
                return;
            }
            ch.pipeline().addFirst(new LingeringClose());
            duplex.shutdownOutput();
            ch.eventLoop().schedule(() -> ch.close(), TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
            ch.config().setAutoRead(true);
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // dropped with the bytes
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close(); // the client has sent everything: both sides are done
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset while draining: nothing more to say
    }
}
