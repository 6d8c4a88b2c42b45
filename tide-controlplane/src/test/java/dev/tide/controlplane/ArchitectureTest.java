package dev.tide.controlplane;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Reconcilers are pure logic over the registry; only the launcher creates thread pools. */
@AnalyzeClasses(packages = "dev.tide.controlplane", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule dependsOnlyInward = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("dev.tide.cli..", "dev.tide.dataplane..");

    @ArchTest
    static final ArchRule reconcilersDoNoNetworkIo = noClasses().that().resideInAPackage("..reconciler..")
            .should().dependOnClassesThat().resideInAnyPackage("java.net..", "com.sun.net.httpserver..", "java.nio.file..");

    @ArchTest
    static final ArchRule noThreadPools = noClasses().should().callMethod(java.util.concurrent.Executors.class,
            "newVirtualThreadPerTaskExecutor").orShould().callMethod(java.util.concurrent.Executors.class, "newFixedThreadPool", int.class)
            .because("thread pools are created by the launcher and passed in");

    @ArchTest
    static final ArchRule reconcilersNeverSeeTheHttpLayer = noClasses().that().resideInAPackage("..reconciler..")
            .should().dependOnClassesThat().resideInAPackage("..apiserver..");
}
