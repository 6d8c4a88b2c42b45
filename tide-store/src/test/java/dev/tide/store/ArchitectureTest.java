package dev.tide.store;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The store knows objects and files, nothing about the API server or reconcilers above it. */
@AnalyzeClasses(packages = "dev.tide.store", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule dependsOnlyInward = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("dev.tide.controlplane..", "dev.tide.dataplane..", "dev.tide.cli..", "dev.tide.runtime..");

    @ArchTest
    static final ArchRule fileIoStaysInTheFilePackage = noClasses().that().resideOutsideOfPackage("dev.tide.store.file..")
            .should().dependOnClassesThat().resideInAnyPackage("java.nio.file..", "java.nio.channels..");
}
