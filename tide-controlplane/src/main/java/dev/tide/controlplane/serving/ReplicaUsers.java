package dev.tide.controlplane.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tide.api.Conditions;
import dev.tide.runtime.RunAs;
import java.util.ArrayList;
import java.util.List;

/**
 * Which user a revision's local replicas run as, and what else of their {@code securityContext} a local process can
 * be held to. A Service's {@code command} is a program its author chose, so a Tide running as root never runs it as
 * root unless told to:
 *
 * <ul>
 *   <li>Tide runs as root: the container's {@code securityContext.runAsUser}/{@code runAsGroup} (the pod's when the
 *       container has none) are honoured, with the pod's {@code supplementalGroups}; without a user, replicas run as
 *       the operator's {@code --replica-user} ({@code nobody} unless told otherwise; {@code root} keeps them root).</li>
 *   <li>Tide runs as another user: it cannot switch users, so replicas run as Tide's user; a {@code runAsUser} other
 *       than Tide's is reported as not honoured, never silently dropped.</li>
 *   <li>{@code runAsNonRoot: true} with a replica that would run as root is refused, as the kubelet refuses it
 *       ({@code CreateContainerConfigError}); {@code allowPrivilegeEscalation: false} sets no_new_privs.</li>
 *   <li>What a local process cannot be held to ({@code privileged}, {@code capabilities}, {@code readOnlyRootFilesystem},
 *       seccomp, AppArmor, SELinux, {@code fsGroup}, {@code sysctls}) is named in the condition, which then has status
 *       False and Warning severity: stored, not enforced.</li>
 *   <li>Tide's own model server runs as Tide's user: it reads the model cache in Tide's data directory (0700).</li>
 * </ul>
 *
 * Pure: the decision and the revision condition that says it.
 *
 * @param tideUid      the uid Tide runs as, or -1 when unknown
 * @param fallback     the user for root's replicas that name none, or {@code null} to keep them root
 * @param fallbackName how the fallback user is named in conditions (e.g. {@code nobody})
 */
public record ReplicaUsers(long tideUid, RunAs fallback, String fallbackName) {

    /** The condition type the revision reports the decision under; never part of Ready. */
    public static final String CONDITION = "SecurityContext";

    /** Replicas as Tide's own user, whoever that is (for tests of everything else). */
    public static final ReplicaUsers AS_TIDE = new ReplicaUsers(-1, null, null);

    private static final List<String> CONTAINER_NOT_ENFORCED = List.of("privileged", "capabilities", "readOnlyRootFilesystem",
            "seccompProfile", "appArmorProfile", "seLinuxOptions", "procMount", "windowsOptions");
    private static final List<String> POD_NOT_ENFORCED = List.of("fsGroup", "fsGroupChangePolicy", "sysctls", "seccompProfile",
            "appArmorProfile", "seLinuxOptions", "seLinuxChangePolicy", "windowsOptions", "supplementalGroupsPolicy");

    /**
     * @param runAs           the user, or {@code null} for Tide's
     * @param noNewPrivileges {@code allowPrivilegeEscalation: false}
     * @param status          the condition's status: {@code True} when done as asked, {@code False} when something
     *                        asked for is not honoured or not enforced
     * @param refusal         why the replica may not start at all ({@code runAsNonRoot} violated), or {@code null}
     */
    public record Decision(RunAs runAs, boolean noNewPrivileges, String status, String reason, String message, String refusal) {
        /** Warning when something asked for is not held, Info otherwise. */
        public String severity() {
            return Conditions.TRUE.equals(status) ? "Info" : "Warning";
        }
    }

    public Decision decide(JsonNode podSpec, JsonNode container, boolean modelServer) {
        JsonNode sc = container.path("securityContext");
        JsonNode pod = podSpec.path("securityContext");
        boolean noNewPrivs = sc.path("allowPrivilegeEscalation").isBoolean() && !sc.path("allowPrivilegeEscalation").asBoolean();
        boolean nonRoot = (sc.has("runAsNonRoot") ? sc : pod).path("runAsNonRoot").asBoolean(false);
        Decision d = user(number(sc, pod, "runAsUser"), number(sc, pod, "runAsGroup"), groups(pod), modelServer, noNewPrivs);
        long effectiveUid = d.runAs() != null ? d.runAs().uid() : tideUid;
        if (nonRoot && effectiveUid == 0) {
            return new Decision(d.runAs(), noNewPrivs, Conditions.FALSE, "RunAsNonRoot", d.message(),
                    "container has runAsNonRoot and would run as root (" + d.message() + ")");
        }
        List<String> notEnforced = new ArrayList<>();
        CONTAINER_NOT_ENFORCED.stream().filter(f -> set(sc, f)).forEach(f -> notEnforced.add("securityContext." + f));
        POD_NOT_ENFORCED.stream().filter(f -> set(pod, f)).forEach(f -> notEnforced.add("spec.securityContext." + f));
        if (!notEnforced.isEmpty()) {
            return new Decision(d.runAs(), noNewPrivs, Conditions.FALSE, "NotEnforced", d.message() + "; not enforced for local replicas "
                    + "(stored as written): " + String.join(", ", notEnforced), null);
        }
        return d;
    }

    private Decision user(Long uid, Long gid, List<Long> groups, boolean modelServer, boolean noNewPrivs) {
        String nnp = noNewPrivs ? ", with no_new_privs" : "";
        if (modelServer) {
            return new Decision(null, noNewPrivs, Conditions.TRUE, "TideModelServer", "Tide's model server runs as Tide's user"
                    + (tideUid >= 0 ? " (uid " + tideUid + ")" : "") + nnp + ": it reads the model cache in Tide's data directory", null);
        }
        if (tideUid < 0) {
            return new Decision(null, noNewPrivs, Conditions.TRUE, "TideUser", "replicas run as Tide's user" + nnp, null);
        }
        if (tideUid != 0) {
            if (uid != null && uid != tideUid) {
                return new Decision(null, noNewPrivs, Conditions.FALSE, "RunAsUserNotHonoured", "securityContext.runAsUser " + uid
                        + " is not honoured: Tide runs as uid " + tideUid + ", not root, and cannot switch users; replicas run as uid "
                        + tideUid + nnp, null);
            }
            return new Decision(null, noNewPrivs, Conditions.TRUE, "TideUser", "replicas run as Tide's user (uid " + tideUid + ")" + nnp, null);
        }
        if (uid != null) {
            if (uid == 0) {
                return new Decision(null, noNewPrivs, Conditions.TRUE, "RunAsUser", "replicas run as root, as securityContext.runAsUser 0 asks"
                        + nnp, null);
            }
            long g = gid != null ? gid : fallback != null ? fallback.gid() : uid;
            return new Decision(new RunAs(uid, g, groups, null), noNewPrivs, Conditions.TRUE, "RunAsUser", "replicas run as uid " + uid
                    + ", gid " + g + groupsText(groups) + nnp + ", as securityContext asks", null);
        }
        if (fallback == null) {
            return new Decision(null, noNewPrivs, Conditions.TRUE, "RunAsRoot", "replicas run as root: Tide runs as root with "
                    + "--replica-user root" + nnp, null);
        }
        RunAs as = new RunAs(fallback.uid(), gid != null ? gid : fallback.gid(), groups, fallback.home());
        return new Decision(as, noNewPrivs, Conditions.TRUE, "ReplicaUser", "replicas run as " + fallbackName + " (uid " + as.uid()
                + ", gid " + as.gid() + groupsText(groups) + ")" + nnp + ": Tide runs as root and the container names no "
                + "securityContext.runAsUser", null);
    }

    private static String groupsText(List<Long> groups) {
        return groups.isEmpty() ? "" : ", groups " + groups;
    }

    /** The container's field, else the pod's; {@code null} when neither sets it. */
    private static Long number(JsonNode container, JsonNode pod, String field) {
        JsonNode v = container.get(field);
        if (v == null || !v.canConvertToLong()) {
            v = pod.get(field);
        }
        return v != null && v.canConvertToLong() ? v.asLong() : null;
    }

    private static List<Long> groups(JsonNode pod) {
        List<Long> out = new ArrayList<>();
        pod.path("supplementalGroups").forEach(g -> out.add(g.asLong()));
        return out;
    }

    private static boolean set(JsonNode parent, String field) {
        JsonNode v = parent.get(field);
        return v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty()) && !(v.isBoolean() && !v.asBoolean());
    }
}
