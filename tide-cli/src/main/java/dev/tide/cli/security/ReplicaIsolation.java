package dev.tide.cli.security;

import dev.tide.api.resources.LocalLimits;
import dev.tide.controlplane.serving.ReplicaUsers;
import dev.tide.runtime.RunAs;
import dev.tide.runtime.process.Cgroups;
import dev.tide.runtime.process.ProcessRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What replicas may see of the Tide that runs them, decided once at start: the base of their environment and the
 * user they run as.
 */
public final class ReplicaIsolation {

    /** The only variables of Tide's own environment a replica gets: enough to find programs and format text. */
    static final List<String> BASE_ENV = List.of("PATH", "HOME", "LANG", "TZ");
    private static final System.Logger LOG = System.getLogger(ReplicaIsolation.class.getName());

    private ReplicaIsolation() {
    }

    /**
     * The cgroups replicas with limits get on this host, or none (when {@code wanted} is false, or the host gives
     * Tide none, logged with why).
     */
    public static Cgroups cgroups(boolean wanted) {
        if (!wanted) {
            LOG.log(System.Logger.Level.INFO, "replica cgroups off (--no-replica-cgroups): memory limits are measured, cpu limits not enforced");
            return null;
        }
        Cgroups.Detection d = Cgroups.detect(Path.of("/proc/self/mounts"), Path.of("/proc/self/cgroup"), ProcessHandle.current().pid());
        if (d.cgroups().isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "no cgroups for replicas (" + d.why() + "): memory limits are measured, cpu limits not enforced");
            return null;
        }
        Cgroups c = d.cgroups().get();
        LOG.log(System.Logger.Level.INFO, "replicas with limits get cgroups (" + c.version() + ": memory" + (c.cpu() ? ", cpu" : "") + ")");
        return c;
    }

    /** What the cgroups found hold replicas to, for admission's warnings and revisions' conditions. */
    public static LocalLimits limits(Cgroups cgroups) {
        return cgroups == null || !cgroups.memory() ? LocalLimits.MEASURED : new LocalLimits(cgroups.version().toString(), cgroups.cpu());
    }

    /** {@link #BASE_ENV} from {@code tideEnv}, with a usual {@code PATH} when Tide has none; replicas' cgroups. */
    public static ProcessRuntime.Settings processSettings(Map<String, String> tideEnv, Cgroups cgroups) {
        Map<String, String> base = new LinkedHashMap<>();
        for (String k : BASE_ENV) {
            if (tideEnv.containsKey(k)) {
                base.put(k, tideEnv.get(k));
            }
        }
        base.putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        String setpriv = null;
        for (String dir : base.get("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, "setpriv"))) {
                setpriv = Path.of(dir, "setpriv").toString();
                break;
            }
        }
        return new ProcessRuntime.Settings(base, setpriv, cgroups);
    }

    /**
     * @param replicaUser {@code --replica-user}: a name from /etc/passwd, {@code UID} or {@code UID:GID}, or
     *                    {@code root} to keep root's replicas root
     */
    public static ReplicaUsers users(String replicaUser) {
        long uid = tideUid();
        if (uid != 0 || replicaUser == null || replicaUser.equals("root") || replicaUser.equals("0")) {
            return new ReplicaUsers(uid, null, null);
        }
        return new ReplicaUsers(uid, resolve(replicaUser), replicaUser);
    }

    private static long tideUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    /** {@code nobody} to its uid, gid and home from /etc/passwd; {@code 1000} or {@code 1000:1000} as they are. */
    static RunAs resolve(String user) {
        if (user.matches("\\d+(:\\d+)?")) {
            String[] p = user.split(":");
            return new RunAs(Long.parseLong(p[0]), Long.parseLong(p.length > 1 ? p[1] : p[0]), null);
        }
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length >= 6 && f[0].equals(user)) {
                    return new RunAs(Long.parseLong(f[2]), Long.parseLong(f[3]), f[5]);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--replica-user " + user + ": cannot read /etc/passwd (" + e.getMessage() + "); give UID:GID", e);
        }
        throw new IllegalArgumentException("--replica-user " + user + ": no such user in /etc/passwd; give a user name, UID:GID or root");
    }
}
