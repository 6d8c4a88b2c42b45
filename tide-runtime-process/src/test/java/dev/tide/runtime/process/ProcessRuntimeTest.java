package dev.tide.runtime.process;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of the process runtime; the processes themselves are exercised by ProcessRuntimeIT. */
class ProcessRuntimeTest {

    @Test
    void expandsVariablesAsKubernetesDoes() {
        Map<String, String> env = Map.of("PORT", "8080", "MODEL", "m1");
        assertThat(ProcessRuntime.expand("--port=$(PORT)", env)).isEqualTo("--port=8080");
        assertThat(ProcessRuntime.expand("$(MODEL)/$(PORT)", env)).isEqualTo("m1/8080");
        assertThat(ProcessRuntime.expand("$(UNKNOWN)", env)).as("unknown references stay as written").isEqualTo("$(UNKNOWN)");
        assertThat(ProcessRuntime.expand("$$(PORT)", env)).as("$$ escapes").isEqualTo("$(PORT)");
        assertThat(ProcessRuntime.expand("plain $PORT", env)).isEqualTo("plain $PORT");
    }

    private static dev.tide.runtime.ReplicaSpec spec(dev.tide.runtime.RunAs runAs, boolean noNewPrivileges) {
        return new dev.tide.runtime.ReplicaSpec("ns", "s", "s", "s-00001", java.util.List.of("python3"), java.util.List.of(), Map.of(), null,
                dev.tide.runtime.ProbeSpec.defaultReadiness(), null, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1),
                runAs, noNewPrivileges);
    }

    @Test
    void aReplicasUserIsSwitchedBySetprivBeforeItsProgramRuns() {
        assertThat(ProcessRuntime.userSwitch(spec(null, false), "/usr/bin/setpriv")).as("as Tide: nothing in front").isEmpty();
        assertThat(ProcessRuntime.userSwitch(spec(new dev.tide.runtime.RunAs(65534, 65534, "/nonexistent"), true), "/usr/bin/setpriv"))
                .containsExactly("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--no-new-privs", "--");
        assertThat(ProcessRuntime.userSwitch(spec(new dev.tide.runtime.RunAs(1000, 2000, java.util.List.of(10L, 20L), null), false), null))
                .containsExactly("setpriv", "--reuid=1000", "--regid=2000", "--groups=10,20", "--");
        assertThat(ProcessRuntime.userSwitch(spec(null, true), "/usr/bin/setpriv")).as("no_new_privs alone, as Tide's user")
                .containsExactly("/usr/bin/setpriv", "--no-new-privs", "--");
    }

    @Test
    void aDroppedReplicasPathKeepsOnlyWhatItsUserCanSearch(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path open = java.nio.file.Files.createDirectories(tmp.resolve("open/bin"));
        java.nio.file.Path closed = java.nio.file.Files.createDirectories(tmp.resolve("closed/bin"));
        var rx = java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");
        java.nio.file.Files.setPosixFilePermissions(tmp, rx);
        java.nio.file.Files.setPosixFilePermissions(tmp.resolve("open"), rx);
        java.nio.file.Files.setPosixFilePermissions(open, rx);
        java.nio.file.Files.setPosixFilePermissions(tmp.resolve("closed"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        long owner = ((Number) java.nio.file.Files.getAttribute(tmp, "unix:uid")).longValue();
        dev.tide.runtime.RunAs stranger = new dev.tide.runtime.RunAs(owner + 12345, owner + 12345, null);
        String path = closed + ":" + open + ":" + tmp.resolve("missing");
        assertThat(Reachable.path(path, stranger)).isEqualTo(open.toString());
    }

    @Test
    void outputIsBounded() {
        OutputBuffer b = new OutputBuffer(3);
        for (int i = 0; i < 10; i++) {
            b.add("line " + i);
        }
        assertThat(b.last(5)).containsExactly("line 7", "line 8", "line 9");
        assertThat(b.last(1)).containsExactly("line 9");
    }

    @Test
    void theRuntimeNeverReachesIntoTheControlOrDataPlane() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.tide.controlplane..", "dev.tide.dataplane..",
                        "dev.tide.api..", "dev.tide.store..")
                .check(new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests()).importPackages("dev.tide.runtime"));
    }

    @Test
    void residentMemoryIsReadFromProcStatus() {
        assertThat(ResidentMemory.parseKb("VmRSS:\t  163840 kB")).isEqualTo(163840);
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self"))) {
            assertThat(ResidentMemory.of(ProcessHandle.current()).orElseThrow()).as("this JVM").isGreaterThan(10L << 20);
        }
    }
}
