package dev.tide.modelserver.http;

import dev.tide.common.text.GrpcText;
import dev.tide.modelserver.grpc.GrpcCalls;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC call on one HTTP/2 stream of the model server's port: reads the call's messages from the stream's DATA
 * frames (each a 5-byte prefix, a compressed flag and a big-endian length, then the message), hands them to the
 * service through {@link GrpcCalls}, and writes what it answers as headers, DATA frames and trailers with
 * {@code grpc-status}. Errors found before the service is called (an unknown method, an encoding it cannot read, a
 * message over the size limit) are answered as gRPC's trailers-only response.
 *
 * <p>Threading: the service answers on its own threads; each of its callbacks hops to the stream's event loop, so the
 * call and this handler's fields are only touched there.
 */
final class GrpcStreamHandler extends ChannelInboundHandlerAdapter {

    private static final String CONTENT_TYPE = "application/grpc";

    private final GrpcCalls calls;
    private final ModelHttpServer.InFlight inFlight;
    private final int maxMessageBytes;
    private ClientCall<byte[], byte[]> call;
    private ByteBuf pending;
    private boolean headersSent;
    private boolean finished;

    GrpcStreamHandler(GrpcCalls calls, ModelHttpServer.InFlight inFlight, int maxMessageBytes) {
        this.calls = calls;
        this.inFlight = inFlight;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (finished) {
                return; // the call was answered early (an error): the rest of the request is read and dropped
            }
            if (msg instanceof Http2HeadersFrame h) {
                if (call == null) {
                    start(ctx, h.headers());
                } else if (h.isEndStream()) {
                    call.halfClose(); // the client's trailers carry nothing a call reads
                }
            } else if (msg instanceof Http2DataFrame d) {
                data(ctx, d.content(), d.isEndStream());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void start(ChannelHandlerContext ctx, Http2Headers h) {
        inFlight.begin();
        String path = String.valueOf(h.path());
        MethodDescriptor<byte[], byte[]> method = path.startsWith("/") ? calls.method(path.substring(1)) : null;
        CharSequence encoding = h.get("grpc-encoding");
        if (!"POST".contentEquals(h.method())) {
            answerNow(ctx, Status.INTERNAL.withDescription("gRPC calls are POSTs, not " + h.method()));
        } else if (!protobuf(String.valueOf(h.get("content-type")))) {
            answerNow(ctx, Status.UNIMPLEMENTED.withDescription("content-type " + h.get("content-type")
                    + ": this service's messages are protobuf (application/grpc or application/grpc+proto)"));
        } else if (method == null) {
            answerNow(ctx, Status.UNIMPLEMENTED.withDescription("Method not found: " + path));
        } else if (encoding != null && !"identity".contentEquals(encoding)) {
            answerNow(ctx, Status.UNIMPLEMENTED.withDescription("grpc-encoding " + encoding
                    + " is not supported; send messages uncompressed (identity)"));
        } else {
            CallOptions options = CallOptions.DEFAULT;
            CharSequence timeout = h.get("grpc-timeout");
            if (timeout != null) {
                long nanos = GrpcWire.timeoutNanos(timeout.toString());
                if (nanos < 0) {
                    answerNow(ctx, Status.INTERNAL.withDescription("grpc-timeout " + timeout + " is malformed"));
                    return;
                }
                options = options.withDeadlineAfter(nanos, TimeUnit.NANOSECONDS);
            }
            call = calls.newCall(method, options);
            call.start(new Listener(ctx.channel()), metadata(h));
            call.request(1);
            pending = ctx.alloc().buffer();
        }
    }

    private void data(ChannelHandlerContext ctx, ByteBuf content, boolean end) {
        if (call == null) {
            return;
        }
        pending.writeBytes(content);
        while (pending.readableBytes() >= 5) {
            int flag = pending.getUnsignedByte(pending.readerIndex());
            long length = pending.getUnsignedInt(pending.readerIndex() + 1);
            if (length > maxMessageBytes) {
                cancel(ctx, Status.RESOURCE_EXHAUSTED.withDescription("gRPC message larger than max (" + length + " vs. "
                        + maxMessageBytes + ")"));
                return;
            }
            if (flag != 0) {
                cancel(ctx, Status.INTERNAL.withDescription("a compressed message without grpc-encoding"));
                return;
            }
            if (pending.readableBytes() < 5 + length) {
                break;
            }
            pending.skipBytes(5);
            byte[] message = new byte[(int) length];
            pending.readBytes(message);
            call.sendMessage(message);
        }
        pending.discardReadBytes();
        if (end) {
            if (pending.isReadable()) {
                cancel(ctx, Status.INTERNAL.withDescription("the stream ended inside a message"));
                return;
            }
            call.halfClose();
        }
    }

    /** Ends a started call that cannot go on and tells the client why. */
    private void cancel(ChannelHandlerContext ctx, Status status) {
        call.cancel(status.getDescription(), null);
        answerNow(ctx, status);
    }

    /** The call's end, as trailers (or trailers-only, if no headers went out): written once, then the stream is done. */
    private void answerNow(ChannelHandlerContext ctx, Status status) {
        close(ctx.channel(), status, new Metadata());
    }

    private void close(Channel ch, Status status, Metadata trailers) {
        if (finished) {
            return;
        }
        finished = true;
        Http2Headers t = headersSent ? new DefaultHttp2Headers() : responseHeaders();
        t.setInt("grpc-status", status.getCode().value());
        if (status.getDescription() != null) {
            t.set("grpc-message", GrpcText.percentEncode(status.getDescription()));
        }
        copy(trailers, t);
        ch.writeAndFlush(new DefaultHttp2HeadersFrame(t, true));
        release();
        inFlight.end();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // The stream was reset or its connection closed: the service stops, and the call no longer counts.
        if (!finished) {
            finished = true;
            if (call != null) {
                call.cancel("the client's stream closed", null);
            }
            release();
            inFlight.end();
        }
        ctx.fireChannelInactive();
    }

    private void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    private static boolean protobuf(String contentType) {
        String t = contentType.strip();
        int semi = t.indexOf(';');
        t = (semi < 0 ? t : t.substring(0, semi)).strip();
        return t.equalsIgnoreCase(CONTENT_TYPE) || t.equalsIgnoreCase(CONTENT_TYPE + "+proto");
    }

    private static Http2Headers responseHeaders() {
        return new DefaultHttp2Headers().status("200").set("content-type", CONTENT_TYPE);
    }

    /** The request's custom metadata: every header but HTTP/2's pseudo-headers and those gRPC itself reads. */
    private static Metadata metadata(Http2Headers h) {
        Metadata md = new Metadata();
        for (Map.Entry<CharSequence, CharSequence> e : h) {
            String name = e.getKey().toString();
            if (name.startsWith(":") || name.equals("content-type") || name.equals("te") || name.startsWith("grpc-")) {
                continue;
            }
            if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                try {
                    md.put(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER), Base64.getDecoder().decode(e.getValue().toString()));
                } catch (IllegalArgumentException malformed) {
                    // a binary header that is not base64 carries nothing the service could read
                }
            } else {
                md.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), e.getValue().toString());
            }
        }
        return md;
    }

    /** The service's metadata as HTTP/2 headers: text as is, binary values base64 without padding, as gRPC sends them. */
    private static void copy(Metadata md, Http2Headers into) {
        for (String name : md.keys()) {
            if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                for (byte[] v : md.getAll(Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER))) {
                    into.add(name, Base64.getEncoder().withoutPadding().encodeToString(v));
                }
            } else {
                for (String v : md.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER))) {
                    into.add(name, v);
                }
            }
        }
    }

    /** The service's answers, each moved to the stream's event loop. */
    private final class Listener extends ClientCall.Listener<byte[]> {
        private final Channel ch;

        Listener(Channel ch) {
            this.ch = ch;
        }

        @Override
        public void onHeaders(Metadata headers) {
            ch.eventLoop().execute(() -> {
                if (finished) {
                    return;
                }
                Http2Headers h = responseHeaders();
                copy(headers, h);
                headersSent = true;
                ch.write(new DefaultHttp2HeadersFrame(h, false));
            });
        }

        @Override
        public void onMessage(byte[] message) {
            ch.eventLoop().execute(() -> {
                if (finished) {
                    return;
                }
                if (!headersSent) {
                    headersSent = true;
                    ch.write(new DefaultHttp2HeadersFrame(responseHeaders(), false));
                }
                ByteBuf frame = ch.alloc().buffer(5 + message.length);
                frame.writeByte(0).writeInt(message.length).writeBytes(message);
                // The next message is asked for once this one is written: a slow client slows the service down.
                ch.writeAndFlush(new DefaultHttp2DataFrame(frame, false)).addListener(f -> {
                    if (f.isSuccess() && !finished) {
                        call.request(1);
                    }
                });
            });
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            ch.eventLoop().execute(() -> close(ch, status, trailers));
        }
    }
}
