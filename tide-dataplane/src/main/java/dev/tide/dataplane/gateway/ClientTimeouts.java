package dev.tide.dataplane.gateway;

import dev.tide.dataplane.ServingException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client connection's two timeouts, as nginx's {@code client_header_timeout} and {@code keepalive_timeout}:
 * <ul>
 *   <li>a request head must arrive in full within {@link ClientLimits#headTimeout()} of its first byte (the first
 *       request: of the connection's start). Then the client gets {@code 408} if it had sent part of one, and the
 *       connection closes either way;</li>
 *   <li>a keep-alive connection waits at most {@link ClientLimits#idleTimeout()} for its next request, and an HTTP/2
 *       connection closes once nothing was read or written for that long.</li>
 * </ul>
 * While a request is in progress neither applies: its revision's {@code timeoutSeconds} bounds it.
 *
 * <p>Two handlers share this state: {@link #bytes()} first in the pipeline (it sees the first byte of a head, and the
 * HTTP/2 traffic) and {@link #messages()} after the HTTP/1.1 codec (it sees heads arrive and responses end). One timer
 * per connection, re-armed from its own firing rather than per request: a request costs two readings of the event
 * loop's clock (its first byte and its response's end) and no allocation.
 *
 * <p>Threading: the connection's event loop only.
 */
final class ClientTimeouts implements Runnable {

    private enum State { FIRST_HEAD, IDLE, HEAD, REQUEST, HTTP2 }

    /** Heads decoded and not yet answered: more than one when a client pipelines. */
    private int unanswered;

    /** Written below the codec, which may be half-way through decoding the head that never came. */
    private static final ByteBuf REQUEST_TIMEOUT = Refusals.closing(ServingException.HEAD_TIMEOUT);

    private final long headNanos;
    private final long idleNanos;
    private ChannelHandlerContext ctx;
    private State state = State.FIRST_HEAD;
    /** Whether bytes of the awaited head have arrived (FIRST_HEAD: any byte at all). */
    private boolean headStarted;
    /** HTTP/2: whether anything was read or written since the timer last looked. */
    private boolean active;
    private boolean informational;
    private long deadline;
    private ScheduledFuture<?> timer;

    private final Bytes bytes = new Bytes();
    private final Messages messages = new Messages();

    ClientTimeouts(ClientLimits limits) {
        this.headNanos = limits.headTimeout().toNanos();
        this.idleNanos = limits.idleTimeout().toNanos();
    }

    /** The handler to put first in the pipeline. */
    ChannelHandler bytes() {
        return bytes;
    }

    /** The handler to put right after the HTTP/1.1 server codec. */
    ChannelHandler messages() {
        return messages;
    }

    /** The connection speaks HTTP/2: from now on only the idle rule applies. */
    void http2() {
        state = State.HTTP2;
        active = true;
        arm(now() + idleNanos);
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    private void arm(long at) {
        deadline = at;
        if (timer == null) {
            timer = ctx.executor().schedule(this, Math.max(0, at - now()), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void run() {
        timer = null;
        if (state == State.REQUEST || !ctx.channel().isOpen()) {
            return; // the next transition arms it again
        }
        long left = deadline - now();
        if (left > 0) {
            timer = ctx.executor().schedule(this, left, TimeUnit.NANOSECONDS);
            return;
        }
        if (state == State.HTTP2 && active) {
            active = false;
            arm(now() + idleNanos);
        } else if ((state == State.HEAD || state == State.FIRST_HEAD) && headStarted) {
            ctx.writeAndFlush(REQUEST_TIMEOUT.duplicate()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    /** First in the pipeline: raw bytes in and out. */
    private final class Bytes extends ChannelDuplexHandler {
        @Override
        public void handlerAdded(ChannelHandlerContext c) {
            ctx = c;
            if (c.channel().isActive()) {
                arm(now() + headNanos);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext c) {
            arm(now() + headNanos);
            c.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            switch (state) {
                case IDLE -> {
                    state = State.HEAD;
                    headStarted = true;
                    arm(now() + headNanos);
                }
                case FIRST_HEAD -> headStarted = true;
                case HTTP2 -> active = true;
                default -> { }
            }
            c.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) {
            active = true;
            c.write(msg, promise);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext c, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && state != State.REQUEST && state != State.HTTP2) {
                // The client is done sending and no request of its is open: nothing is left to answer.
                c.close();
                return;
            }
            c.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext c) {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            c.fireChannelInactive();
        }
    }

    /** After the HTTP/1.1 codec: heads in, responses out. */
    private final class Messages extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext c, Object msg) {
            if (msg instanceof HttpRequest) {
                unanswered++;
                state = State.REQUEST;
                headStarted = false;
            }
            c.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse r) {
                informational = r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            }
            if (msg instanceof LastHttpContent && !informational && unanswered > 0 && --unanswered == 0) {
                state = State.IDLE;
                arm(now() + idleNanos);
            }
            c.write(msg, promise);
        }
    }
}
