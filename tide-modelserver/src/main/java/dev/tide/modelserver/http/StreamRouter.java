package dev.tide.modelserver.http;

import dev.tide.common.text.GrpcText;
import dev.tide.modelserver.grpc.GrpcCalls;
import dev.tide.modelserver.protocol.ModelEndpoint;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.util.concurrent.Executor;

/**
 * The first handler of each HTTP/2 stream: a request whose {@code content-type} is gRPC's becomes a gRPC call; any
 * other is the REST protocol, handled as on HTTP/1.1 (the same aggregation, size limit and handler). It then leaves
 * the stream's pipeline.
 */
final class StreamRouter extends ChannelInboundHandlerAdapter {

    private final ModelEndpoint endpoint;
    private final Executor codec;
    private final ModelHttpServer.InFlight inFlight;
    private final GrpcCalls grpc;
    private final int maxBodyBytes;

    StreamRouter(ModelEndpoint endpoint, Executor codec, ModelHttpServer.InFlight inFlight, GrpcCalls grpc, int maxBodyBytes) {
        this.endpoint = endpoint;
        this.codec = codec;
        this.inFlight = inFlight;
        this.grpc = grpc;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame h) {
            CharSequence type = h.headers().get("content-type");
            if (GrpcText.isGrpc(type)) {
                ctx.pipeline().addLast(new GrpcStreamHandler(grpc, inFlight, maxBodyBytes));
            } else {
                ctx.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new HttpObjectAggregator(maxBodyBytes),
                        new ModelRequestHandler(endpoint, codec, inFlight));
            }
        }
        ctx.pipeline().remove(this);
        ctx.pipeline().fireChannelRead(msg);
    }
}
