package dev.tide.runtime.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The resident memory of a process and its descendants, as a memory cgroup would count what a container uses: each
 * process's {@code VmRSS} from Linux's {@code /proc/PID/status}. Empty where there is no {@code /proc}.
 */
final class ResidentMemory {

    private ResidentMemory() {
    }

    static OptionalLong of(ProcessHandle process) {
        OptionalLong own = rss(process.pid());
        if (own.isEmpty()) {
            return own;
        }
        long total = own.getAsLong();
        for (ProcessHandle child : (Iterable<ProcessHandle>) process.descendants()::iterator) {
            total += rss(child.pid()).orElse(0); // a child that just exited holds nothing
        }
        return OptionalLong.of(total);
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
