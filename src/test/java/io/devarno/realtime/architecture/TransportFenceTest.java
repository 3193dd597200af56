package io.devarno.realtime.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Every use of framework internals (Netty, Vert.x implementation classes, reflection, VarHandles) lives in
 * {@code io.devarno.realtime.transport}, so that a Quarkus upgrade that breaks one breaks it in one place
 * (docs/internals.md lists them). Vert.x's public API ({@code io.vertx.core.MultiMap}, Vert.x Web's
 * {@code RoutingContext}, the Mutiny Redis client) is fine anywhere.
 */
@AnalyzeClasses(packages = "io.devarno.realtime", importOptions = ImportOption.DoNotIncludeTests.class)
class TransportFenceTest {

    private static final String TRANSPORT = "io.devarno.realtime.transport..";

    @ArchTest
    static final ArchRule nettyAndVertxImplementationClassesOnlyInTransport = noClasses()
            .that()
            .resideOutsideOfPackage(TRANSPORT)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.netty..", "io.vertx..impl..")
            .because("framework internals are fenced in the transport package (docs/internals.md)");

    @ArchTest
    static final ArchRule reflectionAndVarHandlesOnlyInTransport = noClasses()
            .that()
            .resideOutsideOfPackage(TRANSPORT)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("java.lang.reflect..")
            .orShould()
            .dependOnClassesThat()
            .belongToAnyOf(
                    java.lang.invoke.VarHandle.class,
                    java.lang.invoke.MethodHandles.class,
                    java.lang.invoke.MethodHandles.Lookup.class)
            .orShould()
            .callMethodWhere(
                    target(owner(describe("java.lang.Class", (JavaClass owner) -> owner.isEquivalentTo(Class.class))))
                            .and(target(nameMatching("forName|getDeclared.*|getField|getFields|getMethod|getMethods"))))
            .because("reflective access to framework classes is fenced in the transport package (docs/internals.md)");

    @ArchTest
    static final ArchRule theHubKnowsNoFramework = noClasses()
            .that()
            .resideInAPackage("io.devarno.realtime.hub..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.netty..", "io.vertx..", "io.quarkus.websockets.next..")
            .because("the hub talks to connections through transport.ClientTransport only");
}
