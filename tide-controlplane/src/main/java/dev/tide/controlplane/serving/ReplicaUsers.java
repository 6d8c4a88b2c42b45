package dev.tide.controlplane.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Conditions;
import dev.tide.runtime.RunAs;

/**
 * Which user a revision's local replicas run as. A Service's {@code command} is a program its author chose, so a Tide
 * running as root never runs it as root unless told to:
 *
 * <ul>
 *   <li>Tide runs as root: the container's {@code securityContext.runAsUser}/{@code runAsGroup} (the pod's when the
 *       container has none) are honoured; without one, replicas run as the operator's {@code --replica-user}
 *       ({@code nobody} unless told otherwise; {@code root} keeps them root).</li>
 *   <li>Tide runs as another user: it cannot switch users, so replicas run as Tide's user; a {@code runAsUser} other
 *       than Tide's is reported as not honoured, never silently dropped.</li>
 *   <li>Tide's own model server runs as Tide's user: it reads Tide's data directory (0700), where the model cache is.</li>
 * </ul>
 *
 * Pure: the decision and the revision condition that says it.
 *
 * @param tideUid  the uid Tide runs as
 * @param fallback the user for root's replicas that name none, or {@code null} to keep them root
 * @param fallbackName how the fallback user is named in conditions (e.g. {@code nobody})
 */
public record ReplicaUsers(long tideUid, RunAs fallback, String fallbackName) {

    /** The condition type the revision reports the decision under; Info or Warning severity, never part of Ready. */
    public static final String CONDITION = "SecurityContext";

    /** Replicas as Tide's own user, whoever that is (for tests of everything else). */
    public static final ReplicaUsers AS_TIDE = new ReplicaUsers(-1, null, null);

    /**
     * @param runAs   the user, or {@code null} for Tide's
     * @param status  the condition's status: {@code True} when done as asked, {@code False} when not honoured
     */
    public record Decision(RunAs runAs, String status, String reason, String message) {
    }

    public Decision decide(JsonNode podSpec, JsonNode container, boolean modelServer) {
        Long uid = number(container, "runAsUser", podSpec);
        Long gid = number(container, "runAsGroup", podSpec);
        boolean root = tideUid == 0;
        if (modelServer) {
            return new Decision(null, Conditions.TRUE, "TideModelServer", "Tide's model server runs as Tide's user"
                    + (tideUid >= 0 ? " (uid " + tideUid + ")" : "") + ": it reads the model cache in Tide's data directory");
        }
        if (this == AS_TIDE || tideUid < 0) {
            return new Decision(null, Conditions.TRUE, "TideUser", "replicas run as Tide's user");
        }
        if (!root) {
            if (uid != null && uid != tideUid) {
                return new Decision(null, Conditions.FALSE, "RunAsUserNotHonoured", "securityContext.runAsUser " + uid
                        + " is not honoured: Tide runs as uid " + tideUid + ", not root, and cannot switch users; replicas run as uid " + tideUid);
            }
            return new Decision(null, Conditions.TRUE, "TideUser", "replicas run as Tide's user (uid " + tideUid + ")");
        }
        if (uid != null) {
            long g = gid != null ? gid : fallback != null ? fallback.gid() : uid;
            if (uid == 0) {
                return new Decision(null, Conditions.TRUE, "RunAsUser", "replicas run as root, as securityContext.runAsUser 0 asks");
            }
            return new Decision(new RunAs(uid, g, null), Conditions.TRUE, "RunAsUser", "replicas run as uid " + uid + ", gid " + g
                    + ", as securityContext asks");
        }
        if (fallback == null) {
            return new Decision(null, Conditions.TRUE, "RunAsRoot", "replicas run as root: Tide runs as root with --replica-user root");
        }
        RunAs as = gid != null ? new RunAs(fallback.uid(), gid, fallback.home()) : fallback;
        return new Decision(as, Conditions.TRUE, "ReplicaUser", "replicas run as " + fallbackName + " (uid " + as.uid() + ", gid "
                + as.gid() + "): Tide runs as root and the container names no securityContext.runAsUser");
    }

    /** The container's field, else the pod's; {@code null} when neither sets it. */
    private static Long number(JsonNode container, String field, JsonNode podSpec) {
        JsonNode v = container.path("securityContext").get(field);
        if (v == null || !v.canConvertToLong()) {
            v = podSpec.path("securityContext").get(field);
        }
        return v != null && v.canConvertToLong() ? v.asLong() : null;
    }
}
