package dev.tide.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tide.runtime.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountNamespaceTest {

    @Test
    void modesAreWrittenAsPermissions() {
        assertThat(MountNamespace.permissions(0644)).isEqualTo("rw-r--r--");
        assertThat(MountNamespace.permissions(0400)).isEqualTo("r--------");
        assertThat(MountNamespace.permissions(0755)).isEqualTo("rwxr-xr-x");
    }

    @Test
    void volumesAreMadeUnderTheReplicasDirectoryAndTheCommandWrapped(@TempDir Path dir) throws Exception {
        List<Mount> mounts = List.of(
                new Mount("/data/models", true, new Mount.Directory("/srv/models"), ""),
                new Mount("/etc/app", false, new Mount.Files(Map.of("conf/a.yaml", "batch: 8".getBytes()), 0440), ""),
                new Mount("/scratch", false, new Mount.Empty(), "cache"));
        List<String> cmd = MountNamespace.wrap(dir, mounts, List.of("python3", "-m", "http.server"));
        assertThat(cmd.subList(0, 5)).containsExactly("unshare", "--mount", "--propagation", "private", "--");
        int n = cmd.indexOf(MountNamespace.MOUNTS);
        assertThat(cmd.get(n - 1)).as("the count").isEqualTo("3");
        assertThat(cmd.subList(n + 1, cmd.size())).containsExactly(
                "/srv/models", "/data/models", "ro",
                dir.resolve("volume-1").toString(), "/etc/app", "rw",
                dir.resolve("volume-2/cache").toString(), "/scratch", "rw",
                "python3", "-m", "http.server");
        Path file = dir.resolve("volume-1/conf/a.yaml");
        assertThat(Files.readString(file)).isEqualTo("batch: 8");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("r--r-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("volume-2")))).isEqualTo("rwxrwxrwx");
        assertThat(Files.isDirectory(dir.resolve("volume-2/cache"))).isTrue();
        MountNamespace.remove(dir);
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void aSubPathOrItemCannotLeaveItsVolume(@TempDir Path dir) {
        assertThatThrownBy(() -> MountNamespace.wrap(dir, List.of(new Mount("/x", false, new Mount.Empty(), "../../etc")), List.of("sh")))
                .hasMessage("subPath ../../etc of /x leaves its volume");
        assertThatThrownBy(() -> MountNamespace.wrap(dir, List.of(new Mount("/x", false,
                new Mount.Files(Map.of("../escape", new byte[0]), 0644), "")), List.of("sh")))
                .hasMessage("item path ../escape leaves its volume");
    }
}
