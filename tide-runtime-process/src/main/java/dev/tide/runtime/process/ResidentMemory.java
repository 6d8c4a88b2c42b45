package dev.tide.runtime.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The resident memory of a process and its descendants, as a memory cgroup would count what a container uses: each
 * process's {@code VmRSS} from Linux's {@code /proc/PID/status}. Empty where there is no {@code /proc}.
 */
final class ResidentMemory {

    private ResidentMemory() {
    }

    static OptionalLong of(ProcessHandle process) {
        return Tree.now().of(process.pid());
    }

    /**
     * Who is whose child, read once for all the replicas a check covers: finding a process's descendants walks every
     * process on the machine (about 1 ms for 70 processes here), so each check round reads the table once, not once
     * per replica.
     */
    static final class Tree {
        private final java.util.Map<Long, List<Long>> children = new java.util.HashMap<>();

        static Tree now() {
            Tree t = new Tree();
            ProcessHandle.allProcesses().forEach(p -> p.parent().ifPresent(parent ->
                    t.children.computeIfAbsent(parent.pid(), k -> new ArrayList<>()).add(p.pid())));
            return t;
        }

        /** The resident memory of {@code pid} and its descendants; empty when it cannot be read. */
        OptionalLong of(long pid) {
            OptionalLong own = rss(pid);
            if (own.isEmpty()) {
                return own;
            }
            long total = own.getAsLong();
            java.util.ArrayDeque<Long> next = new java.util.ArrayDeque<>(children.getOrDefault(pid, List.of()));
            while (!next.isEmpty()) {
                long child = next.poll();
                total += rss(child).orElse(0); // a child that just exited holds nothing
                next.addAll(children.getOrDefault(child, List.of()));
            }
            return OptionalLong.of(total);
        }
    }

    /** {@code VmRSS: 163840 kB} from {@code /proc/PID/status}. */
    static OptionalLong rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(parseKb(line) * 1024);
                }
            }
            return OptionalLong.of(0); // a zombie: no memory left
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** Worked example: {@code "VmRSS:\t  163840 kB"} is 163,840 KiB. */
    static long parseKb(String line) {
        String digits = line.substring("VmRSS:".length()).replace("kB", "").strip();
        return Long.parseLong(digits);
    }
}
