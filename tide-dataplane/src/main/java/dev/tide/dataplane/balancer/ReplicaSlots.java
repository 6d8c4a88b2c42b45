package dev.tide.dataplane.balancer;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One replica as the load balancer sees it: an address and a non-blocking slot counter of capacity
 * {@code containerConcurrency} (0: unlimited).
 *
 * <p>Threading: {@link #tryAcquire} and {@link #release} are lock-free compare-and-set on one counter, safe from any
 * thread.
 */
public final class ReplicaSlots {

    private final String id;
    private final int capacity;
    private final AtomicInteger inFlight = new AtomicInteger();

    public ReplicaSlots(String id, int capacity) {
        this.id = id;
        this.capacity = capacity;
    }

    public String id() {
        return id;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Takes a slot if one is free. */
    public boolean tryAcquire() {
        if (capacity == 0) {
            inFlight.incrementAndGet();
            return true;
        }
        for (;;) {
            int n = inFlight.get();
            if (n >= capacity) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void release() {
        inFlight.decrementAndGet();
    }
}
