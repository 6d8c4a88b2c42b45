package dev.tide.dataplane.gateway;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a request's body handed to tries so far, kept while they are small, so a try that fails before the
 * replica can have acted on the request (its connection broke as the head and body went out together) can be made
 * again with the body whole, as nginx can from its request buffer. Parts are kept as retained duplicates, not
 * copies: what the client sent is held a little longer, until the response begins or the request ends.
 *
 * <p>Past {@link #LIMIT} the body streams and nothing is kept: 64 KiB holds a typical JSON inference request, and
 * a larger body that has begun going out cannot be tried again. At 1,000 requests in flight with such bodies the
 * ingress holds at most 64 MB for this, and only while they wait for their responses' heads.
 *
 * <p>Threading: confined to its exchange's event loop.
 */
final class BodyReplay {

    /** The most body bytes kept for another try. */
    static final int LIMIT = 64 * 1024;

    /** Retained duplicates of the parts given to tries, in order; {@code null} until the first. */
    private List<HttpContent> kept;
    private long bytes;
    /** Whether a part was given that could not be kept: the body cannot be sent whole again. */
    private boolean overflowed;
    /** Whether no more tries can come (the response began, or the request ended): nothing is kept from then on. */
    private boolean closed;

    /** Called with each part of the body before it is written to a try for the first time. */
    void given(HttpContent part) {
        if (closed || overflowed) {
            return;
        }
        int size = part.content().readableBytes();
        if (size == 0 && part instanceof LastHttpContent last && last.trailingHeaders().isEmpty()) {
            return; // a bare end (every GET has one): a replay whose client has ended the body writes its own
        }
        if (bytes + size > LIMIT) {
            overflowed = true;
            release();
            return;
        }
        bytes += size;
        if (kept == null) {
            kept = new ArrayList<>(2);
        }
        kept.add(part.retainedDuplicate());
    }

    /** Whether every part given to a try so far is kept, so another try can have the body whole. */
    boolean whole() {
        return !overflowed && !closed;
    }

    /** Fresh retained duplicates of the kept parts, in order, for the next try to write (each write releases one). */
    List<HttpContent> parts() {
        if (kept == null) {
            return List.of();
        }
        List<HttpContent> out = new ArrayList<>(kept.size());
        kept.forEach(p -> out.add(p.retainedDuplicate()));
        return out;
    }

    /** No try comes after this one (the response began, or the request ended): lets the kept parts go. */
    void close() {
        closed = true;
        release();
    }

    private void release() {
        if (kept != null) {
            kept.forEach(HttpContent::release);
            kept = null;
        }
    }
}
