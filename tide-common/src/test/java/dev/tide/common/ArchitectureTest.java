package dev.tide.common;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** tide-common is JDK-only and does no I/O. */
@AnalyzeClasses(packages = "dev.tide.common", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule jdkOnly = noClasses().should().dependOnClassesThat()
            .resideOutsideOfPackages("dev.tide.common..", "java..")
            .because("every module depends on tide-common, so it must not bring anything along");

    @ArchTest
    static final ArchRule noIo = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("java.net..", "java.nio.file..", "java.nio.channels..");
}
