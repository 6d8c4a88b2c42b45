package dev.tide.dataplane;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The data plane never imports the control plane: what both need lives in tide-api or tide-common. */
@AnalyzeClasses(packages = "dev.tide.dataplane", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule neverTheControlPlane = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("dev.tide.controlplane..", "dev.tide.store..", "dev.tide.cli..");

    @ArchTest
    static final ArchRule noClockReads = noClasses().should().callMethod(System.class, "nanoTime")
            .orShould().callMethod(System.class, "currentTimeMillis");
}
