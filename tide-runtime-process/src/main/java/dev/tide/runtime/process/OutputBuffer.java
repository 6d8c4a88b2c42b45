package dev.tide.runtime.process;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last lines a replica printed (stdout and stderr together), bounded so a chatty replica cannot exhaust memory. Thread-safe. */
final class OutputBuffer {

    private final int maxLines;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    /** Lines ever added: the number of the next line. */
    private long total;

    OutputBuffer(int maxLines) {
        this.maxLines = maxLines;
    }

    synchronized void add(String line) {
        if (lines.size() == maxLines) {
            lines.removeFirst();
        }
        lines.addLast(line.length() > 4096 ? line.substring(0, 4096) + "..." : line);
        total++;
        notifyAll();
    }

    /** As {@link #since}, first waiting up to {@code timeoutNanos} while there is no line numbered {@code from} or later. */
    synchronized dev.tide.runtime.ReplicaRuntime.Output awaitSince(long from, long timeoutNanos) throws InterruptedException {
        if (total <= from && timeoutNanos > 0) {
            // One wait: a wake-up without a new line returns an empty answer early, which the caller asks again after.
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, timeoutNanos);
        }
        return since(from);
    }

    /** Lines numbered {@code from} and later that are still kept, and the next line number. */
    synchronized dev.tide.runtime.ReplicaRuntime.Output since(long from) {
        long first = total - lines.size();
        List<String> out = new ArrayList<>();
        long n = first;
        for (String l : lines) {
            if (n >= from) {
                out.add(l);
            }
            n++;
        }
        return new dev.tide.runtime.ReplicaRuntime.Output(List.copyOf(out), total);
    }

    /** The number the next line will have. */
    synchronized long next() {
        return total;
    }

    synchronized List<String> last(int n) {
        List<String> all = new ArrayList<>(lines);
        return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
    }
}
