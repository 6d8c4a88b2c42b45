package dev.tide.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Meta;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The store: all objects in memory, every write made durable by a {@link Journal} before it is acknowledged.
 *
 * <p>Threading: one lock guards the map, the version counter, the history and the journal; writes are
 * serialised (an fsync each, which is what one machine's control plane needs). Watchers receive events in
 * version order through their own unbounded queues, filled under the lock and drained by their own threads;
 * a watcher more than {@value #MAX_BACKLOG} events behind is closed, and its client re-lists.
 */
public final class DefaultStore implements Store {

    /**
     * Changes kept for watches that resume from a version: each holds its object, so this is memory (10,000 cost 30 MB
     * of RSS with 1,000 Services); a client further behind gets Gone and lists again.
     */
    static final int HISTORY = 1_000;
    static final int MAX_BACKLOG = 10_000;

    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. Stored objects are never handed out; callers get copies. */
    private final NavigableMap<ObjectKey, ObjectNode> objects = new TreeMap<>();
    /** Guarded by {@link #lock}: the newest events, for watches that resume from a version. */
    private final Deque<WatchEvent> history = new ArrayDeque<>();
    private final List<QueueWatch> watches = new CopyOnWriteArrayList<>();
    private final Journal journal;
    /** Guarded by {@link #lock}. */
    private long version;

    /** Guarded by {@link #lock}. */
    private final LabelIndex byLabel;

    public DefaultStore(Journal journal) {
        this(journal, Set.of());
    }

    /** @param indexedLabels labels whose values {@link #listByLabel} finds by lookup rather than by scan */
    public DefaultStore(Journal journal, Set<String> indexedLabels) {
        this.journal = journal;
        this.byLabel = new LabelIndex(indexedLabels);
        for (Journal.Entry e : journal.replay()) {
            version = Math.max(version, e.resourceVersion());
            if (e.key() == null) {
                continue;
            }
            if (e.object() == null) {
                byLabel.remove(e.key(), objects.remove(e.key()));
            } else {
                byLabel.remove(e.key(), objects.put(e.key(), e.object()));
                byLabel.add(e.key(), e.object());
            }
        }
    }

    @Override
    public Optional<ObjectNode> get(ObjectKey key) {
        lock.lock();
        try {
            ObjectNode o = objects.get(key);
            return o == null ? Optional.empty() : Optional.of(o.deepCopy());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Listing list(String resource, String namespace) {
        return list(resource, namespace, o -> true);
    }

    @Override
    public Listing list(String resource, String namespace, Predicate<? super ObjectNode> filter) {
        lock.lock();
        try {
            List<ObjectNode> items = new ArrayList<>();
            for (Map.Entry<ObjectKey, ObjectNode> e : range(resource, namespace).entrySet()) {
                if (filter.test(e.getValue())) {
                    items.add(e.getValue().deepCopy());
                }
            }
            return new Listing(items, version);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Listing listByLabel(String resource, String namespace, String label, String value) {
        if (!byLabel.covers(label)) {
            return Store.super.listByLabel(resource, namespace, label, value);
        }
        lock.lock();
        try {
            List<ObjectNode> items = new ArrayList<>();
            for (ObjectKey k : byLabel.keys(label, value)) {
                if (k.resource().equals(resource) && (namespace == null || namespace.equals(k.namespace()))) {
                    items.add(objects.get(k).deepCopy());
                }
            }
            return new Listing(items, version);
        } finally {
            lock.unlock();
        }
    }

    /** One resource's objects, or one namespace's of them: keys sort by resource, then namespace, then name. */
    private NavigableMap<ObjectKey, ObjectNode> range(String resource, String namespace) {
        return namespace == null ? range(resource)
                : objects.subMap(new ObjectKey(resource, namespace, ""), true, new ObjectKey(resource, namespace + "\0", ""), false);
    }

    private NavigableMap<ObjectKey, ObjectNode> range(String resource) {
        return objects.subMap(new ObjectKey(resource, "", ""), true, new ObjectKey(resource + "\0", "", ""), false);
    }

    @Override
    public ObjectNode create(ObjectKey key, ObjectNode object) {
        lock.lock();
        try {
            if (objects.containsKey(key)) {
                throw new StoreException.AlreadyExists(key);
            }
            return write(key, object.deepCopy(), WatchEvent.Type.ADDED);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ObjectNode update(ObjectKey key, ObjectNode object, String expectedResourceVersion) {
        lock.lock();
        try {
            ObjectNode current = objects.get(key);
            if (current == null) {
                throw new StoreException.NotFound(key);
            }
            String actual = Meta.resourceVersion(current);
            if (expectedResourceVersion != null && !expectedResourceVersion.equals(actual)) {
                throw new StoreException.Conflict(key, expectedResourceVersion, actual);
            }
            ObjectNode next = object.deepCopy();
            Meta.metadata(next).put("resourceVersion", actual);
            if (next.equals(current)) {
                return current.deepCopy();
            }
            return write(key, next, WatchEvent.Type.MODIFIED);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ObjectNode delete(ObjectKey key) {
        lock.lock();
        try {
            ObjectNode current = objects.get(key);
            if (current == null) {
                throw new StoreException.NotFound(key);
            }
            long next = version + 1;
            journal.append(new Journal.Entry(next, key, null));
            version = next;
            byLabel.remove(key, objects.remove(key));
            publish(new WatchEvent(WatchEvent.Type.DELETED, key, current, next));
            maybeCompact();
            return current.deepCopy();
        } finally {
            lock.unlock();
        }
    }

    /** Stamps the next version, journals, then applies: if the journal write fails, nothing changed. */
    private ObjectNode write(ObjectKey key, ObjectNode object, WatchEvent.Type type) {
        long next = version + 1;
        Meta.metadata(object).put("resourceVersion", Long.toString(next));
        journal.append(new Journal.Entry(next, key, object));
        version = next;
        byLabel.remove(key, objects.put(key, object));
        byLabel.add(key, object);
        publish(new WatchEvent(type, key, object, next));
        maybeCompact();
        return object.deepCopy();
    }

    private void publish(WatchEvent event) {
        history.addLast(event);
        if (history.size() > HISTORY) {
            history.removeFirst();
        }
        for (QueueWatch w : watches) {
            w.offer(event);
        }
    }

    private void maybeCompact() {
        if (journal.wantsCompaction()) {
            List<Journal.Entry> live = new ArrayList<>(objects.size());
            objects.forEach((k, o) -> live.add(new Journal.Entry(Long.parseLong(Meta.resourceVersion(o)), k, o)));
            journal.compact(live, version);
        }
    }

    @Override
    public Watch watch(String resource, String namespace, long fromResourceVersion, Predicate<ObjectKey> filter) {
        lock.lock();
        try {
            QueueWatch w = new QueueWatch(resource, namespace, filter);
            if (fromResourceVersion < version) {
                long oldest = history.isEmpty() ? version : history.peekFirst().resourceVersion() - 1;
                if (fromResourceVersion < oldest) {
                    throw new StoreException.Gone(fromResourceVersion, oldest);
                }
                for (WatchEvent e : history) {
                    if (e.resourceVersion() > fromResourceVersion) {
                        w.offer(e);
                    }
                }
            }
            watches.add(w);
            return w;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long resourceVersion() {
        lock.lock();
        try {
            return version;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        watches.forEach(QueueWatch::close);
        lock.lock();
        try {
            journal.close();
        } finally {
            lock.unlock();
        }
    }

    private final class QueueWatch implements Watch {
        private final String resource;
        private final String namespace;
        private final Predicate<ObjectKey> filter;
        private final LinkedBlockingQueue<WatchEvent> queue = new LinkedBlockingQueue<>();
        private volatile boolean closed;

        QueueWatch(String resource, String namespace, Predicate<ObjectKey> filter) {
            this.resource = resource;
            this.namespace = namespace;
            this.filter = filter;
        }

        void offer(WatchEvent e) {
            if (closed || !e.key().resource().equals(resource)
                    || (namespace != null && !namespace.equals(e.key().namespace())) || !filter.test(e.key())) {
                return;
            }
            if (queue.size() >= MAX_BACKLOG) {
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
            watches.remove(this);
        }
    }
}
