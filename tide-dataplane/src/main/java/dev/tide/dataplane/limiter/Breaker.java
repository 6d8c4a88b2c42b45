package dev.tide.dataplane.limiter;

import dev.tide.common.time.Scheduler;
import dev.tide.dataplane.ServingException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A hard concurrency limit with a bounded wait queue: queue-proxy's breaker for {@code containerConcurrency}, and
 * the activator's per-revision gate.
 *
 * <p>At most {@code capacity} requests hold a permit; up to {@code queueDepth} more wait, and are granted in arrival
 * order as permits come back. Admission is one check: with {@code running + waiting == capacity + queueDepth} a
 * request is refused at once with {@link ServingException#QUEUE_FULL} (503). Worked example, queue-proxy's rule for
 * {@code containerConcurrency: 1}: the queue is 10 x 1, so 11 requests are admitted (1 running, 10 waiting) and the
 * 12th gets an immediate 503. A waiter whose deadline passes is removed and told {@link
 * ServingException#REQUEST_TIMEOUT} (504).
 *
 * <p>The capacity can change while requests wait (the activator's is containerConcurrency times the ready replicas,
 * 0 at zero scale): growing it grants waiters at once.
 *
 * <p>Threading: any thread may acquire and release (several event loops share a revision). One lock guards the
 * counters and the queue; callbacks run after it is released, on the thread that granted or timed out the permit,
 * so a callback may release or acquire again without deadlock. Permits are granted immediately, without queueing,
 * on the caller's thread when a slot is free. Callbacks made while a callback of this breaker is already running on
 * the same thread are queued and run after it returns (a trampoline), so a listener that releases at once cannot
 * grow the stack with the length of the queue.
 */
public final class Breaker {

    /** Receives the outcome of {@link #acquire}; exactly one method is called, exactly once. */
    public interface Listener {
        void granted(Permit permit);

        void rejected(ServingException reason);
    }

    /** A held slot. Release it exactly once when the request ends; further calls do nothing. */
    public final class Permit {
        private boolean released;

        private Permit() {
        }

        public void release() {
            Waiter next;
            lock.lock();
            try {
                if (released) {
                    return;
                }
                released = true;
                inFlight--;
                next = nextWaiterLocked();
            } finally {
                lock.unlock();
            }
            grant(next);
        }
    }

    private final class Waiter implements Runnable {
        final Listener listener;
        Scheduler.Cancellable timer;
        /** Guarded by {@link #lock}: set once granted or timed out. */
        boolean done;

        Waiter(Listener listener) {
            this.listener = listener;
        }

        /** The deadline. */
        @Override
        public void run() {
            lock.lock();
            try {
                if (done) {
                    return;
                }
                done = true;
                waiters.remove(this);
            } finally {
                lock.unlock();
            }
            deliver(() -> listener.rejected(ServingException.REQUEST_TIMEOUT));
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** Callbacks waiting to run on this thread while an earlier one runs; empty when none is running. */
    private final ThreadLocal<ArrayDeque<Runnable>> deliveries = ThreadLocal.withInitial(ArrayDeque::new);
    private final Scheduler scheduler;
    /** Guarded by {@link #lock}. */
    private int queueDepth;
    /** Guarded by {@link #lock}. */
    private int capacity;
    /** Guarded by {@link #lock}. */
    private int inFlight;
    /** Guarded by {@link #lock}: oldest first. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    /**
     * @param capacity   permits that may be held at once ({@link Integer#MAX_VALUE} for no limit)
     * @param queueDepth requests that may wait for one
     */
    public Breaker(int capacity, int queueDepth, Scheduler scheduler) {
        if (capacity < 0 || queueDepth < 0) {
            throw new IllegalArgumentException("capacity: " + capacity + ", queueDepth: " + queueDepth + " (expected: >= 0)");
        }
        this.capacity = capacity;
        this.queueDepth = queueDepth;
        this.scheduler = scheduler;
    }

    /** queue-proxy's breaker for a replica: {@code containerConcurrency} slots and 10 waiting per slot. */
    public static Breaker forContainerConcurrency(int containerConcurrency, Scheduler scheduler) {
        if (containerConcurrency <= 0) {
            throw new IllegalArgumentException("containerConcurrency: " + containerConcurrency + " (expected: > 0; 0 means no breaker)");
        }
        return new Breaker(containerConcurrency, 10 * containerConcurrency, scheduler);
    }

    /**
     * Asks for a permit, waiting at most {@code timeoutNanos}. The listener hears the outcome: at once when a slot
     * is free or the queue is full, later otherwise.
     */
    public void acquire(long timeoutNanos, Listener listener) {
        Waiter waiter = null;
        boolean grantNow = false;
        boolean full = false;
        lock.lock();
        try {
            if (inFlight < capacity && waiters.isEmpty()) {
                inFlight++;
                grantNow = true;
            } else if ((long) inFlight + waiters.size() >= (long) capacity + queueDepth) {
                full = true;
            } else {
                waiter = new Waiter(listener);
                waiters.addLast(waiter);
            }
        } finally {
            lock.unlock();
        }
        if (grantNow) {
            Permit permit = new Permit();
            deliver(() -> listener.granted(permit));
        } else if (full) {
            deliver(() -> listener.rejected(ServingException.QUEUE_FULL));
        } else {
            Scheduler.Cancellable timer = scheduler.schedule(waiter, timeoutNanos);
            lock.lock();
            try {
                waiter.timer = timer;
                if (waiter.done) {
                    timer.cancel(); // granted while the timer was being set up
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Changes both limits (the gate in front of a revision follows its ready replicas: containerConcurrency times
     * their number, and ten waiting per slot). Requests already waiting stay queued even if the queue shrank.
     */
    public void setLimits(int newCapacity, int newQueueDepth) {
        if (newCapacity < 0 || newQueueDepth < 0) {
            throw new IllegalArgumentException("capacity: " + newCapacity + ", queueDepth: " + newQueueDepth + " (expected: >= 0)");
        }
        ArrayDeque<Waiter> granted = new ArrayDeque<>();
        lock.lock();
        try {
            capacity = newCapacity;
            queueDepth = newQueueDepth;
            for (Waiter w = nextWaiterLocked(); w != null; w = nextWaiterLocked()) {
                granted.add(w);
            }
        } finally {
            lock.unlock();
        }
        granted.forEach(this::grant);
    }

    /** Takes the oldest waiter when a slot is free, counting it in flight. Caller holds the lock. */
    private Waiter nextWaiterLocked() {
        if (inFlight >= capacity || waiters.isEmpty()) {
            return null;
        }
        Waiter w = waiters.pollFirst();
        w.done = true;
        inFlight++;
        return w;
    }

    private void grant(Waiter w) {
        if (w == null) {
            return;
        }
        Scheduler.Cancellable timer;
        lock.lock();
        try {
            timer = w.timer;
        } finally {
            lock.unlock();
        }
        if (timer != null) {
            timer.cancel();
        }
        Permit permit = new Permit();
        deliver(() -> w.listener.granted(permit));
    }

    /** Runs {@code callback} now, or after the callback already running on this thread returns. */
    private void deliver(Runnable callback) {
        ArrayDeque<Runnable> queue = deliveries.get();
        queue.addLast(callback);
        if (queue.size() > 1) {
            return; // an outer delivery on this thread runs it next
        }
        try {
            while (!queue.isEmpty()) {
                queue.peekFirst().run();
                queue.pollFirst();
            }
        } finally {
            queue.clear();
        }
    }

    public int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    public int waiting() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    public int capacity() {
        lock.lock();
        try {
            return capacity;
        } finally {
            lock.unlock();
        }
    }
}
