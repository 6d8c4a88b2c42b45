package dev.tide.dataplane.gateway;

import dev.tide.common.text.GrpcText;
import dev.tide.dataplane.ServingException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The one place a {@link ServingException} becomes a response: its status, and its message as a text body; for a
 * gRPC call, gRPC's trailers-only answer instead, so the client gets a gRPC status and Tide's message rather than an
 * HTTP status it can only guess from.
 */
final class Refusals {

    private Refusals() {
    }

    /** Answers for the replica; returns the body's size. */
    static int send(ChannelHandlerContext ctx, ServingException reason, boolean keepAlive, HttpHeaders request) {
        FullHttpResponse r;
        if (GrpcText.isGrpc(request.get(HttpHeaderNames.CONTENT_TYPE))) {
            r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
                    .setInt("grpc-status", grpcStatus(reason.status()))
                    .set("grpc-message", GrpcText.percentEncode(reason.getMessage()));
        } else {
            r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reason.status()),
                    Unpooled.copiedBuffer(reason.getMessage() + "\n", StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
            HttpUtil.setContentLength(r, r.content().readableBytes());
        }
        HttpUtil.setKeepAlive(r, keepAlive);
        int size = r.content().readableBytes();
        ctx.writeAndFlush(r);
        return size;
    }

    /**
     * The refusal as HTTP/1.1 bytes that end the connection, for a handler below the codec, which may be half-way
     * through decoding a head that never came (the head timeout's 408). Made once per refusal kind, at class load.
     */
    static ByteBuf closing(ServingException reason) {
        String body = reason.getMessage() + "\n";
        HttpResponseStatus status = HttpResponseStatus.valueOf(reason.status());
        return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("HTTP/1.1 " + status + "\r\ncontent-type: "
                + HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8\r\ncontent-length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\nconnection: close\r\n\r\n" + body, StandardCharsets.UTF_8).asReadOnly());
    }

    /**
     * The gRPC code for a refusal's HTTP status: gRPC's own HTTP-to-gRPC table where it has one (404 UNIMPLEMENTED,
     * 502 and 503 UNAVAILABLE), and the closer code where Tide knows more (a request out of time is
     * DEADLINE_EXCEEDED, not UNAVAILABLE; one over a size limit RESOURCE_EXHAUSTED).
     */
    static int grpcStatus(int httpStatus) {
        return switch (httpStatus) {
            case 404, 501 -> 12; // UNIMPLEMENTED
            case 408, 504 -> 4; // DEADLINE_EXCEEDED
            case 413, 414, 431 -> 8; // RESOURCE_EXHAUSTED
            case 502, 503 -> 14; // UNAVAILABLE
            default -> 13; // INTERNAL, as gRPC maps 400
        };
    }
}
