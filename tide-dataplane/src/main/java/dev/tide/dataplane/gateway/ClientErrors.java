package dev.tide.dataplane.gateway;

import dev.tide.common.time.Ticker;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The last handler of every client connection: an error that reaches it (garbage HTTP/2 frames, a reset connection)
 * closes the connection and is logged as one line, at most one per kind per {@link #INTERVAL}, with how many of that
 * kind were not logged meanwhile. Any client can cause these at will, so each must cost the log a bounded amount:
 * a flood of 10,000 garbage connections writes one line a minute, not 10,000 stack traces.
 *
 * <p>Threading: shared by every connection; the per-kind windows are updated atomically.
 */
@ChannelHandler.Sharable
final class ClientErrors extends ChannelInboundHandlerAdapter {

    static final Duration INTERVAL = Duration.ofSeconds(60);
    private static final int MAX_DETAIL = 200;

    /** One kind's current interval: when it began, and the errors not logged since. */
    private record Window(long startNanos, int suppressed) {
    }

    private final Ticker ticker;
    private final Consumer<String> log;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    /** @param log where each line goes (a warning in Tide's log) */
    ClientErrors(Ticker ticker, Consumer<String> log) {
        this.ticker = ticker;
        this.log = log;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        java.net.SocketAddress remote = ctx.channel().remoteAddress(); // before the close, which forgets it
        ctx.close();
        String kind = cause.getClass().getSimpleName();
        long now = ticker.nanos();
        int[] notLogged = {-1};
        windows.compute(kind, (k, w) -> {
            if (w == null || now - w.startNanos() >= INTERVAL.toNanos()) {
                notLogged[0] = w == null ? 0 : w.suppressed();
                return new Window(now, 0);
            }
            return new Window(w.startNanos(), w.suppressed() + 1);
        });
        if (notLogged[0] < 0) {
            return; // this kind was logged less than an interval ago
        }
        String detail = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        if (detail.length() > MAX_DETAIL) {
            detail = detail.substring(0, MAX_DETAIL) + "...";
        }
        String from = remote instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : String.valueOf(remote);
        log.accept("ingress: closed a client connection from " + from + " on " + kind + ": " + detail
                + (notLogged[0] > 0 ? " (and " + notLogged[0] + " more of this kind not logged in the last "
                + INTERVAL.toSeconds() + " s)" : ""));
    }
}
