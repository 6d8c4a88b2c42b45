package dev.tide.store;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A watch its producer feeds with {@link #offer}: the events it accepts, in order, until it is closed; a reader more
 * than {@code backlog} events behind is closed (its client re-lists, as from kube-apiserver). Thread-safe: the producer
 * offers on its thread, the reader polls on its own.
 */
public final class QueuedWatch implements Watch {

    private final int backlog;
    private final Predicate<WatchEvent> accepts;
    private final Consumer<QueuedWatch> onClose;
    private final LinkedBlockingQueue<WatchEvent> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    /**
     * @param accepts which events this watch is for (its kind, namespace, ...)
     * @param onClose told once the watch closes, by its reader or for falling behind (the producer forgets it)
     */
    public QueuedWatch(int backlog, Predicate<WatchEvent> accepts, Consumer<QueuedWatch> onClose) {
        this.backlog = backlog;
        this.accepts = accepts;
        this.onClose = onClose;
    }

    /** Queues {@code e} when this watch accepts it; closes the watch instead when its reader is too far behind. */
    public void offer(WatchEvent e) {
        if (closed || !accepts.test(e)) {
            return;
        }
        if (queue.size() >= backlog) {
            close();
            return;
        }
        queue.offer(e);
    }

    @Override
    public WatchEvent poll(Duration timeout) throws InterruptedException {
        if (closed && queue.isEmpty()) {
            return null;
        }
        return queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        onClose.accept(this);
    }
}
