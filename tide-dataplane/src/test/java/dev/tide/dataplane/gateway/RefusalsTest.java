package dev.tide.dataplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.dataplane.ServingException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A refusal as plain HTTP, and as gRPC's trailers-only answer when the request was a gRPC call. */
class RefusalsTest {

    private static FullHttpResponse refuse(ServingException reason, String contentType) {
        ChannelHandlerContext[] ctx = new ChannelHandlerContext[1];
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext c) {
                ctx[0] = c;
            }
        });
        DefaultHttpHeaders request = new DefaultHttpHeaders();
        if (contentType != null) {
            request.set("content-type", contentType);
        }
        Refusals.send(ctx[0], reason, true, request);
        FullHttpResponse r = ch.readOutbound();
        ch.finishAndReleaseAll();
        return r;
    }

    @Test
    void plainHttpGetsTheStatusAndTheMessage() {
        FullHttpResponse r = refuse(new ServingException.NoRoute("x.example.com"), "application/json");
        assertThat(r.status().code()).isEqualTo(404);
        assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo("no route for host \"x.example.com\"\n");
        r.release();
    }

    @Test
    void aGrpcCallGetsAGrpcStatusAndTheMessageInItsHeaders() {
        FullHttpResponse r = refuse(ServingException.REQUEST_TIMEOUT, "application/grpc+proto");
        assertThat(r.status().code()).as("gRPC answers 200 and puts the outcome in grpc-status").isEqualTo(200);
        assertThat(r.headers().get("content-type")).isEqualTo("application/grpc");
        assertThat(r.headers().get("grpc-status")).as("DEADLINE_EXCEEDED").isEqualTo("4");
        assertThat(r.headers().get("grpc-message")).isEqualTo("request timeout");
        assertThat(r.content().readableBytes()).as("trailers-only: no message").isZero();
        assertThat(Refusals.grpcStatus(503)).as("UNAVAILABLE").isEqualTo(14);
        assertThat(Refusals.grpcStatus(404)).as("UNIMPLEMENTED").isEqualTo(12);
        assertThat(Refusals.grpcStatus(501)).isEqualTo(12);
        assertThat(Refusals.grpcStatus(431)).as("RESOURCE_EXHAUSTED").isEqualTo(8);
        assertThat(Refusals.grpcStatus(400)).as("INTERNAL").isEqualTo(13);
        r.release();
    }
}
