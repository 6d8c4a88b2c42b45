package dev.tide.modelserver.http;

import dev.tide.modelserver.protocol.ModelEndpoint;
import dev.tide.modelserver.protocol.Response;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Hands each request to the endpoint off the event loop and writes the answer back. */
final class ModelRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final ModelEndpoint endpoint;
    private final Executor codec;
    private final ModelHttpServer.InFlight inFlight;

    ModelRequestHandler(ModelEndpoint endpoint, Executor codec, ModelHttpServer.InFlight inFlight) {
        this.endpoint = endpoint;
        this.codec = codec;
        this.inFlight = inFlight;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            inFlight.begin();
            respond(ctx, endpoint.error(400, "malformed HTTP request: " + req.decoderResult().cause()), false, false);
            return;
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String method = req.method().name();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        boolean head = req.method().equals(HttpMethod.HEAD);
        inFlight.begin();
        if (method.equals("GET") && path.contains("/health/")) {
            // Health answers are constant-time: answering on the event loop keeps probes fast under load.
            endpoint.handle(method, path, new byte[0]).whenComplete((r, e) -> respond(ctx, r, keepAlive, head));
            return;
        }
        byte[] body = ByteBufUtil.getBytes(req.content());
        String jsonLength = req.headers().get(ModelEndpoint.INFERENCE_HEADER_CONTENT_LENGTH);
        try {
            codec.execute(() -> endpoint.handle(method, path, body, jsonLength).whenComplete((r, e) -> respond(ctx, r, keepAlive, head)));
        } catch (RejectedExecutionException e) {
            respond(ctx, endpoint.error(503, "the model server is shutting down"), keepAlive, head);
        }
    }

    private void respond(ChannelHandlerContext ctx, Response r, boolean keepAlive, boolean head) {
        try {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
            if (r.jsonLength() >= 0) {
                res.headers().setInt(ModelEndpoint.INFERENCE_HEADER_CONTENT_LENGTH, r.jsonLength());
            }
            HttpUtil.setKeepAlive(res, keepAlive);
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        } finally {
            inFlight.end();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
