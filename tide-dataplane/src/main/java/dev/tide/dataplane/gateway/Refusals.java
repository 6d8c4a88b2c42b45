package dev.tide.dataplane.gateway;

import dev.tide.dataplane.ServingException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The one place a {@link ServingException} becomes a response: its status, and its message as a text body. */
final class Refusals {

    private Refusals() {
    }

    /** Answers for the replica; returns the body's size. */
    static int send(ChannelHandlerContext ctx, ServingException reason, boolean keepAlive) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reason.status()),
                Unpooled.copiedBuffer(reason.getMessage() + "\n", StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        HttpUtil.setKeepAlive(r, keepAlive);
        int size = r.content().readableBytes();
        ctx.writeAndFlush(r);
        return size;
    }
}
