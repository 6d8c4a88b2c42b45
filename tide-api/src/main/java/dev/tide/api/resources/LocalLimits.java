package dev.tide.api.resources;

/**
 * Which of a container's {@code resources.limits} Tide's local replicas are held to on this machine, found once when
 * Tide starts (its process runtime looks at what the host's cgroups let it do). Admission warns about the others, and
 * a revision's {@code ResourceLimitsEnforced} condition says which are held and how.
 *
 * @param kernel the cgroup version the kernel holds replicas to their limits with ({@code "cgroup v1"},
 *               {@code "cgroup v2"}), or {@code null} where Tide has no cgroup to put them in: then
 *               {@code limits.memory} is enforced by Tide measuring resident memory, and {@code limits.cpu} not at all
 * @param cpu    whether the kernel also holds replicas to {@code limits.cpu} (a CPU controller is there)
 */
public record LocalLimits(String kernel, boolean cpu) {

    /** No cgroups: memory measured by Tide, CPU not enforced. */
    public static final LocalLimits MEASURED = new LocalLimits(null, false);

    public LocalLimits {
        if (kernel == null && cpu) {
            throw new IllegalArgumentException("cpu limits need a cgroup");
        }
    }

    /** Whether a replica is held to the limit on {@code resource} ({@code memory}, {@code cpu}, ...). */
    public boolean enforces(String resource) {
        return resource.equals("memory") || (resource.equals("cpu") && cpu);
    }

    /** How an enforced limit on {@code resource} is held, for the revision's condition. */
    public String how(String resource) {
        if (kernel == null) {
            return "enforced by Tide measuring the replica's resident memory every 200 ms";
        }
        return "enforced by the kernel (" + kernel + (resource.equals("cpu") ? " CPU quota per 100 ms" : " memory limit") + ")";
    }

    /** Why a limit on {@code resource} is stored only: the words of the warning and of the condition. */
    public String whyNot(String resource) {
        return switch (resource) {
            case "cpu" -> "stored but not enforced for local replicas: Tide has no CPU cgroup on this machine "
                    + "(resources.limits.memory is enforced)";
            case "ephemeral-storage" -> "stored but not enforced for local replicas, which have no disk quota";
            default -> "stored but not acted on for local replicas: Tide assigns no " + resource + " to them (its model "
                    + "server takes nvidia.com/gpu on a predictor's model)";
        };
    }
}
