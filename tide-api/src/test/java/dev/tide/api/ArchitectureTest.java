package dev.tide.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The resource model does no I/O and starts no threads; the control and data planes both build on it. */
@AnalyzeClasses(packages = "dev.tide.api", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule noIo = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("java.net..", "java.nio.file..", "java.nio.channels..", "io.netty..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.File");

    @ArchTest
    static final ArchRule noThreads = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("java.util.concurrent..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread");

    @ArchTest
    static final ArchRule dependsOnlyInward = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("dev.tide.store..", "dev.tide.controlplane..", "dev.tide.dataplane..", "dev.tide.cli..",
                    "dev.tide.runtime..", "dev.tide.autoscaler..");
}
