package dev.tide.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What to run for one replica of a revision.
 *
 * @param namespace         the revision's namespace
 * @param service           the Knative Service (or Configuration) name, for {@code K_SERVICE}
 * @param configuration     for {@code K_CONFIGURATION}
 * @param revision          for {@code K_REVISION}
 * @param env               resolved environment (Secret references already read)
 * @param workingDir        or {@code null}
 * @param liveness          or {@code null}
 * @param drainTimeout      how long in-flight requests may take to finish before the process is signalled (the
 *                          revision's {@code timeoutSeconds})
 * @param terminationGrace  between SIGTERM and SIGKILL
 * @param runAs             the user the process runs as, or {@code null} for Tide's own
 * @param noNewPrivileges   the process and its children can never gain privileges (setuid programs run without them:
 *                          a container's {@code allowPrivilegeEscalation: false})
 * @param resources         the container's memory and CPU limits and CPU request
 * @param mounts            volumes at their mount paths, in the replica's own view of the filesystem
 * @param image             the container's image, for runtimes that run images (Kubernetes), or {@code null}; a spec
 *                          with an image may have no command (the image's entrypoint runs)
 * @param containerPort     the container's {@code ports[0].containerPort}, or 0 when it names none (Knative's 8080);
 *                          a local process is given a free port instead
 * @param pod               what only a cluster acts on (scheduling, the platform's annotations); {@link PodFields#NONE}
 *                          for a local process
 */
public record ReplicaSpec(String namespace, String service, String configuration, String revision, List<String> command,
                          List<String> args, Map<String, String> env, String workingDir, ProbeSpec readiness, ProbeSpec liveness,
                          Duration drainTimeout, Duration terminationGrace, RunAs runAs, boolean noNewPrivileges,
                          Resources resources, List<Mount> mounts, String image, int containerPort, PodFields pod) {

    /** Without pod fields. */
    public ReplicaSpec(String namespace, String service, String configuration, String revision, List<String> command,
                       List<String> args, Map<String, String> env, String workingDir, ProbeSpec readiness, ProbeSpec liveness,
                       Duration drainTimeout, Duration terminationGrace, RunAs runAs, boolean noNewPrivileges,
                       Resources resources, List<Mount> mounts, String image, int containerPort) {
        this(namespace, service, configuration, revision, command, args, env, workingDir, readiness, liveness, drainTimeout,
                terminationGrace, runAs, noNewPrivileges, resources, mounts, image, containerPort, PodFields.NONE);
    }

    /** A local process's: no image. */
    public ReplicaSpec(String namespace, String service, String configuration, String revision, List<String> command,
                       List<String> args, Map<String, String> env, String workingDir, ProbeSpec readiness, ProbeSpec liveness,
                       Duration drainTimeout, Duration terminationGrace, RunAs runAs, boolean noNewPrivileges,
                       Resources resources, List<Mount> mounts) {
        this(namespace, service, configuration, revision, command, args, env, workingDir, readiness, liveness, drainTimeout,
                terminationGrace, runAs, noNewPrivileges, resources, mounts, null, 0);
    }

    /** A local process with a memory limit only and no volumes. */
    public ReplicaSpec(String namespace, String service, String configuration, String revision, List<String> command,
                       List<String> args, Map<String, String> env, String workingDir, ProbeSpec readiness, ProbeSpec liveness,
                       Duration drainTimeout, Duration terminationGrace, RunAs runAs, boolean noNewPrivileges, long memoryLimitBytes) {
        this(namespace, service, configuration, revision, command, args, env, workingDir, readiness, liveness, drainTimeout,
                terminationGrace, runAs, noNewPrivileges, Resources.memory(memoryLimitBytes), List.of());
    }

    /** With no memory limit. */
    public ReplicaSpec(String namespace, String service, String configuration, String revision, List<String> command,
                       List<String> args, Map<String, String> env, String workingDir, ProbeSpec readiness, ProbeSpec liveness,
                       Duration drainTimeout, Duration terminationGrace, RunAs runAs, boolean noNewPrivileges) {
        this(namespace, service, configuration, revision, command, args, env, workingDir, readiness, liveness, drainTimeout,
                terminationGrace, runAs, noNewPrivileges, 0);
    }

    /** As Tide's own user. */
    public ReplicaSpec(String namespace, String service, String configuration, String revision, List<String> command,
                       List<String> args, Map<String, String> env, String workingDir, ProbeSpec readiness, ProbeSpec liveness,
                       Duration drainTimeout, Duration terminationGrace) {
        this(namespace, service, configuration, revision, command, args, env, workingDir, readiness, liveness, drainTimeout,
                terminationGrace, null, false);
    }

    public ReplicaSpec {
        command = List.copyOf(command);
        args = List.copyOf(args);
        env = Map.copyOf(env);
        mounts = List.copyOf(mounts);
        java.util.Objects.requireNonNull(resources, "resources");
        java.util.Objects.requireNonNull(pod, "pod");
        if (command.isEmpty() && image == null) {
            throw new IllegalArgumentException("command: empty, and no image (a replica needs one or the other to run)");
        }
        if (containerPort < 0 || containerPort > 65_535) {
            throw new IllegalArgumentException("containerPort: " + containerPort + " is not a port");
        }
    }

    /** {@code resources.limits.memory} in bytes; 0 for none. */
    public long memoryLimitBytes() {
        return resources.memoryLimitBytes();
    }
}
