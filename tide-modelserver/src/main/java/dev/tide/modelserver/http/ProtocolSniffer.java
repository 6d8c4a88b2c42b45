package dev.tide.modelserver.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * Tells a connection's protocol from its first bytes: HTTP/2 with prior knowledge (RFC 9113 section 3.3) opens with
 * a fixed 24-byte preface, and no HTTP/1.1 request line starts with {@code PRI *}. So one port serves both, as a
 * Knative replica's port must when it is named {@code h2c} while probes and curl still speak HTTP/1.1. The sniffer
 * waits only while the bytes so far match the preface; the first byte that differs settles on HTTP/1.1. It then
 * leaves the pipeline, and what it had read goes on to the handlers it chose.
 */
final class ProtocolSniffer extends ByteToMessageDecoder {

    /** Sets a connection up for the protocol its first bytes named. */
    interface Protocols {
        void http1(ChannelHandlerContext ctx);

        void http2(ChannelHandlerContext ctx);
    }

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Protocols protocols;

    ProtocolSniffer(Protocols protocols) {
        this.protocols = protocols;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length = PREFACE.readableBytes();
        int n = Math.min(in.readableBytes(), length);
        if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n)) {
            protocols.http1(ctx);
        } else if (n == length) {
            protocols.http2(ctx);
        } else {
            return; // a prefix of the preface: wait for more
        }
        ctx.pipeline().remove(this);
    }
}
