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
}
