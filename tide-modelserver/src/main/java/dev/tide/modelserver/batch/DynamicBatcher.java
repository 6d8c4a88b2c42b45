package dev.tide.modelserver.batch;

import dev.tide.common.time.Ticker;
import dev.tide.modelserver.InferenceException;
import dev.tide.modelserver.model.Model;
import dev.tide.modelserver.tensor.Batches;
import dev.tide.modelserver.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Merges concurrent requests into one model run along the batch dimension and splits the outputs back.
 *
 * <p>Each of {@code workers} threads takes the oldest request, then gathers stackable requests (same row shapes) until
 * the batch holds {@code maxBatchSize} rows or {@code maxDelay} has passed since it took the first; requests that do not
 * stack wait for the next run. Worked example: maxBatchSize 8, four requests of 1 row and one of 6 queued: the run takes
 * the four (4 rows), the fifth would make 10 and waits for the next run.
 *
 * <p>A batch that fails is retried one request at a time, so a request that breaks the model fails alone.
 */
public final class DynamicBatcher implements InferenceEngine {

    private record Item(List<Tensor> inputs, long rows, CompletableFuture<List<Tensor>> done) {
    }

    private static final Item STOP = new Item(List.of(), 0, null);

    private final Model model;
    private final BatchPolicy policy;
    private final Ticker ticker;
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedDeque<Item> deferred = new ConcurrentLinkedDeque<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong rowsRun = new AtomicLong();
    private volatile boolean closed;

    public DynamicBatcher(Model model, BatchPolicy policy, Ticker ticker, ThreadFactory threads, int workers) {
        this.model = model;
        this.policy = policy;
        this.ticker = ticker;
        for (int i = 0; i < workers; i++) {
            Thread t = threads.newThread(this::work);
            this.threads.add(t);
            t.start();
        }
    }

    @Override
    public CompletableFuture<List<Tensor>> submit(List<Tensor> inputs) {
        CompletableFuture<List<Tensor>> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new InferenceException(503, "the model server is shutting down"));
            return done;
        }
        queue.add(new Item(inputs, inputs.get(0).shape()[0], done));
        return done;
    }

    /** Model runs so far; with {@link #rows()} gives the mean batch size. */
    public long runs() {
        return runs.get();
    }

    public long rows() {
        return rowsRun.get();
    }

    private void work() {
        try {
            while (true) {
                Item first = deferred.pollFirst();
                if (first == null) {
                    first = queue.take();
                }
                if (first == STOP) {
                    // Requests deferred by another worker's last gather are still owed an answer.
                    for (Item d = deferred.pollFirst(); d != null; d = deferred.pollFirst()) {
                        runAlone(d);
                    }
                    return;
                }
                run(gather(first));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Item> gather(Item first) throws InterruptedException {
        List<Item> batch = new ArrayList<>();
        batch.add(first);
        long rows = first.rows;
        long deadline = ticker.nanos() + policy.maxDelay().toNanos();
        while (rows < policy.maxBatchSize()) {
            long wait = deadline - ticker.nanos();
            Item next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            if (next == STOP) {
                queue.add(STOP);
                break;
            }
            if (rows + next.rows <= policy.maxBatchSize() && stackable(first, next)) {
                batch.add(next);
                rows += next.rows;
            } else {
                deferred.addLast(next);
                if (rows + next.rows > policy.maxBatchSize()) {
                    break;
                }
            }
        }
        return batch;
    }

    private static boolean stackable(Item a, Item b) {
        for (int i = 0; i < a.inputs.size(); i++) {
            if (!Batches.stackable(a.inputs.get(i), b.inputs.get(i))) {
                return false;
            }
        }
        return true;
    }

    private void run(List<Item> batch) {
        if (batch.size() == 1) {
            runAlone(batch.get(0));
            return;
        }
        int nInputs = batch.get(0).inputs.size();
        List<Tensor> merged = new ArrayList<>(nInputs);
        long[] rows = new long[batch.size()];
        for (int j = 0; j < batch.size(); j++) {
            rows[j] = batch.get(j).rows;
        }
        for (int i = 0; i < nInputs; i++) {
            List<Tensor> parts = new ArrayList<>(batch.size());
            for (Item it : batch) {
                parts.add(it.inputs.get(i));
            }
            merged.add(Batches.concat(parts));
        }
        List<Tensor> outputs;
        try {
            outputs = model.infer(merged);
            count(sum(rows));
        } catch (RuntimeException e) {
            batch.forEach(this::runAlone);
            return;
        }
        List<List<Tensor>> perItem = new ArrayList<>(batch.size());
        for (int j = 0; j < batch.size(); j++) {
            perItem.add(new ArrayList<>(outputs.size()));
        }
        for (Tensor out : outputs) {
            List<Tensor> parts = Batches.split(out, rows);
            for (int j = 0; j < parts.size(); j++) {
                perItem.get(j).add(parts.get(j));
            }
        }
        for (int j = 0; j < batch.size(); j++) {
            batch.get(j).done.complete(perItem.get(j));
        }
    }

    private void runAlone(Item it) {
        try {
            List<Tensor> out = model.infer(it.inputs);
            count(it.rows);
            it.done.complete(out);
        } catch (RuntimeException e) {
            it.done.completeExceptionally(e);
        }
    }

    private void count(long rows) {
        runs.incrementAndGet();
        rowsRun.addAndGet(rows);
    }

    private static long sum(long[] a) {
        long s = 0;
        for (long x : a) {
            s += x;
        }
        return s;
    }

    @Override
    public void close() {
        closed = true;
        for (int i = 0; i < threads.size(); i++) {
            queue.add(STOP);
        }
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.MINUTES.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
