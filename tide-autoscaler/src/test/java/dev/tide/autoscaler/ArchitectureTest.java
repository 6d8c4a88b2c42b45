package dev.tide.autoscaler;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The autoscaler is pure: the JDK only, no I/O, no threads, time passed in. */
@AnalyzeClasses(packages = "dev.tide.autoscaler", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule dependsOnNothing = noClasses().should().dependOnClassesThat()
            .resideOutsideOfPackages("dev.tide.autoscaler..", "java..");

    @ArchTest
    static final ArchRule noIoNoThreads = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("java.net..", "java.nio..", "java.io..", "java.util.concurrent..")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.Thread");

    @ArchTest
    static final ArchRule noClockReads = noClasses().should().callMethod(System.class, "nanoTime")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(java.time.Instant.class, "now");
}
