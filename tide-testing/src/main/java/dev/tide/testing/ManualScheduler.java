package dev.tide.testing;

import dev.tide.common.time.Scheduler;
import dev.tide.common.time.Ticker;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A scheduler whose time moves only in {@link #advance}: due tasks run then, in time order, on the calling thread,
 * as Netty's {@code EmbeddedChannel.advanceTimeBy} does.
 *
 * <p>Threading: tasks may be scheduled and cancelled from any thread (code under test sets timers wherever it
 * runs); the queue and the clock are guarded by this object's monitor, and tasks run outside it.
 */
public final class ManualScheduler implements Scheduler {

    private record Task(long dueNanos, long seq, Runnable run, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos
            ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    @Override
    public Ticker ticker() {
        return this::nanos;
    }

    public synchronized long nanos() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        boolean[] cancelled = {false};
        Task t = new Task(now + Math.max(0, delayNanos), seq++, task, cancelled);
        tasks.add(t);
        return () -> {
            synchronized (this) {
                boolean wasPending = tasks.remove(t);
                cancelled[0] = true;
                return wasPending;
            }
        };
    }

    /** Moves time forward by {@code d}, running every task that falls due, in order. */
    public void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        for (;;) {
            Task t;
            synchronized (this) {
                if (tasks.isEmpty() || tasks.peek().dueNanos() > target) {
                    now = target;
                    return;
                }
                t = tasks.poll();
                now = t.dueNanos();
                if (t.cancelled()[0]) {
                    continue;
                }
            }
            t.run().run();
        }
    }

    /** Tasks still waiting. */
    public synchronized int pending() {
        return tasks.size();
    }
}
