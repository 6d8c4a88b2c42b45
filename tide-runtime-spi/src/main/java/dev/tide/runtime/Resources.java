package dev.tide.runtime;

/**
 * The container's {@code resources} a runtime can hold a replica to, in the units the kernel takes.
 *
 * @param memoryLimitBytes {@code limits.memory}: the replica is OOMKilled when it reaches it; 0 for none
 * @param cpuLimitMillis   {@code limits.cpu} in millicores ({@code 500m} or {@code 0.5} is 500): at most that much CPU
 *                         time per wall-clock second; 0 for none
 * @param cpuRequestMillis {@code requests.cpu} in millicores (the limit when only a limit is written, as Kubernetes
 *                         defaults it): the replica's share of CPU under contention; 0 for none
 */
public record Resources(long memoryLimitBytes, long cpuLimitMillis, long cpuRequestMillis) {

    public static final Resources NONE = new Resources(0, 0, 0);

    public Resources {
        if (memoryLimitBytes < 0 || cpuLimitMillis < 0 || cpuRequestMillis < 0) {
            throw new IllegalArgumentException("resources: negative (" + memoryLimitBytes + " bytes, " + cpuLimitMillis
                    + "m limit, " + cpuRequestMillis + "m request)");
        }
    }

    /** Only a memory limit. */
    public static Resources memory(long limitBytes) {
        return new Resources(limitBytes, 0, 0);
    }

    /** Whether any CPU setting is given. */
    public boolean cpu() {
        return cpuLimitMillis > 0 || cpuRequestMillis > 0;
    }
}
