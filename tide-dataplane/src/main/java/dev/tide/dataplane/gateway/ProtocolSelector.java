package dev.tide.dataplane.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tells HTTP/2 with prior knowledge (h2c, as gRPC clients and {@code curl --http2-prior-knowledge} speak it) from
 * HTTP/1.1 by the connection's first bytes, installs the handlers for the one it is, and steps aside. HTTP/2 opens
 * with a fixed 24-byte preface ({@code PRI * HTTP/2.0...}); an HTTP/1.1 request line differs from it by its first
 * byte or so, so a plain request is never held waiting for 24 bytes.
 */
final class ProtocolSelector extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Consumer<ChannelHandlerContext> http1;
    private final Consumer<ChannelHandlerContext> http2;

    /**
     * @param http1 adds the HTTP/1.1 handlers after this one's context
     * @param http2 adds the HTTP/2 handlers after this one's context
     */
    ProtocolSelector(Consumer<ChannelHandlerContext> http1, Consumer<ChannelHandlerContext> http2) {
        this.http1 = http1;
        this.http2 = http2;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read(); // the connection reads only when asked
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
        if (prefix && n < PREFACE.readableBytes()) {
            ctx.read(); // could still be either
            return;
        }
        // The handlers added ask for what they need to read; removing this one passes them the bytes read so far.
        (prefix ? http2 : http1).accept(ctx);
        ctx.pipeline().remove(this);
    }
}
