package dev.tide.controlplane.reconciler;

import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The keys waiting to be reconciled, with Kubernetes' workqueue semantics, so several workers can drain it: a key is
 * queued at most once (a burst of changes to one object costs one reconcile), and never handed to two workers at once;
 * a key added while a worker holds it is handed out again when that worker is done, so its last change is seen. Keys
 * whose reconcile failed wait until a worker finds nothing to do for the retry period.
 *
 * <p>Threading: safe from any thread; one lock, held for a few set operations.
 */
final class WorkQueue<K> {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    /** Guarded by lock: keys to hand out, in arrival order. */
    private final LinkedHashSet<K> queue = new LinkedHashSet<>();
    /** Guarded by lock: keys a worker holds. */
    private final Set<K> processing = new HashSet<>();
    /** Guarded by lock: keys added while a worker held them. */
    private final Set<K> dirty = new HashSet<>();
    /** Guarded by lock: keys whose last reconcile failed. */
    private final LinkedHashSet<K> retries = new LinkedHashSet<>();

    void add(K key) {
        lock.lock();
        try {
            if (processing.contains(key)) {
                dirty.add(key);
            } else if (queue.add(key)) {
                ready.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next key, which the caller holds until {@link #done}; null when none came within {@code retryAfter}, after
     * which the failed keys are queued again.
     */
    K take(Duration retryAfter) throws InterruptedException {
        lock.lock();
        try {
            if (queue.isEmpty() && !ready.await(retryAfter.toNanos(), TimeUnit.NANOSECONDS) && queue.isEmpty()) {
                retries.forEach(this::queueLocked);
                retries.clear();
            }
            if (queue.isEmpty()) {
                return null;
            }
            Iterator<K> it = queue.iterator();
            K key = it.next();
            it.remove();
            processing.add(key);
            return key;
        } finally {
            lock.unlock();
        }
    }

    /** The holder of {@code key} is done with it; a failed key is retried later. */
    void done(K key, boolean failed) {
        lock.lock();
        try {
            processing.remove(key);
            if (dirty.remove(key)) {
                queueLocked(key);
            } else if (failed) {
                retries.add(key);
            }
        } finally {
            lock.unlock();
        }
    }

    private void queueLocked(K key) {
        if (processing.contains(key)) {
            dirty.add(key);
        } else if (queue.add(key)) {
            ready.signal();
        }
    }
}
