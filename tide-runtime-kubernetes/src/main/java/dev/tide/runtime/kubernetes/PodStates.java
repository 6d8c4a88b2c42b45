package dev.tide.runtime.kubernetes;

import dev.tide.runtime.Replica;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Set;

/**
 * What a Pod's status says of its replica, in the runtime's terms. Pure.
 *
 * <ul>
 *   <li>Ready condition True with a pod IP: {@code READY}; having been ready, not any more: {@code NOT_READY}.</li>
 *   <li>Its container waiting for a reason that is a failure ({@code CrashLoopBackOff}, {@code ImagePullBackOff},
 *       {@code ErrImagePull}, {@code CreateContainerConfigError}, ...), or the pod {@code Failed}: {@code CRASHED}.</li>
 *   <li>Not schedulable (its PodScheduled condition False, as the scheduler says when no node fits): {@code PENDING}.</li>
 *   <li>Anything else (Pending on its way, being started): {@code STARTING}.</li>
 * </ul>
 */
final class PodStates {

    /** The kubelet's waiting reasons that are failures, not steps of a normal start. */
    static final Set<String> FAILING = Set.of("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError", "RunContainerError");

    private PodStates() {
    }

    /** @param wasReady whether the replica has been ready before */
    static Replica.State state(Pod pod, boolean wasReady) {
        if (pod.getStatus() == null) {
            return Replica.State.STARTING;
        }
        if ("Failed".equals(pod.getStatus().getPhase())) {
            return Replica.State.CRASHED;
        }
        ContainerStatus c = container(pod);
        ContainerStateWaiting waiting = c == null || c.getState() == null ? null : c.getState().getWaiting();
        if (waiting != null && FAILING.contains(waiting.getReason())) {
            return Replica.State.CRASHED;
        }
        if (ready(pod) && ip(pod) != null) {
            return Replica.State.READY;
        }
        if (unschedulable(pod) != null) {
            return Replica.State.PENDING;
        }
        return wasReady ? Replica.State.NOT_READY : Replica.State.STARTING;
    }

    static boolean ready(Pod pod) {
        List<PodCondition> conditions = pod.getStatus() == null ? List.of() : pod.getStatus().getConditions();
        return conditions != null && conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The scheduler's PodScheduled condition when it is False, or {@code null}. */
    static PodCondition unschedulable(Pod pod) {
        List<PodCondition> conditions = pod.getStatus() == null ? List.of() : pod.getStatus().getConditions();
        return conditions == null ? null : conditions.stream()
                .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())).findFirst().orElse(null);
    }

    /** The pod's IPv4 address, or {@code null} before it has one. */
    static String ip(Pod pod) {
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        return ip == null || ip.isEmpty() ? null : ip;
    }

    static int restarts(Pod pod) {
        ContainerStatus c = container(pod);
        return c == null || c.getRestartCount() == null ? 0 : c.getRestartCount();
    }

    /** How the container's previous run ended, from its last state; {@code null} before it has ended once. */
    static Replica.Termination lastTermination(Pod pod) {
        ContainerStatus c = container(pod);
        ContainerStateTerminated t = c == null || c.getLastState() == null ? null : c.getLastState().getTerminated();
        if (t == null) {
            return null;
        }
        return new Replica.Termination(t.getExitCode() == null ? 0 : t.getExitCode(), t.getReason() == null ? "Error" : t.getReason(),
                t.getMessage() == null ? "" : t.getMessage());
    }

    /** What a user should read about a pod that is not running as it should: the kubelet's reason and message. */
    static List<String> why(Pod pod) {
        ContainerStatus c = container(pod);
        ContainerStateWaiting waiting = c == null || c.getState() == null ? null : c.getState().getWaiting();
        if (waiting != null && waiting.getReason() != null) {
            return List.of("pod " + pod.getMetadata().getName() + ": " + waiting.getReason()
                    + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()));
        }
        PodCondition scheduled = unschedulable(pod);
        if (scheduled != null) {
            return List.of("pod " + pod.getMetadata().getName() + ": " + (scheduled.getReason() == null ? "Unschedulable" : scheduled.getReason())
                    + (scheduled.getMessage() == null ? "" : ": " + scheduled.getMessage()));
        }
        if (pod.getStatus() != null && pod.getStatus().getReason() != null) {
            return List.of("pod " + pod.getMetadata().getName() + ": " + pod.getStatus().getReason()
                    + (pod.getStatus().getMessage() == null ? "" : ": " + pod.getStatus().getMessage()));
        }
        return List.of();
    }

    private static ContainerStatus container(Pod pod) {
        List<ContainerStatus> all = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
        if (all == null) {
            return null;
        }
        return all.stream().filter(c -> PodTemplates.CONTAINER.equals(c.getName())).findFirst()
                .orElse(all.isEmpty() ? null : all.get(0));
    }
}
