package io.devarno.realtime.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;

import java.util.HashSet;
import java.util.Set;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The native image initializes application classes while it is built, but Netty's and Vert.x's buffers,
 * allocators and channels are initialized at run time: a static field holding one (directly, or inside one of our
 * own objects, as a static {@code WireFrame} would) fails the native build. Such objects are created at run time,
 * in beans.
 */
@AnalyzeClasses(packages = "io.devarno.realtime", importOptions = ImportOption.DoNotIncludeTests.class)
class NativeStaticFieldsTest {

    @ArchTest
    static final ArchRule noStaticFieldHoldsANettyOrVertxObject = fields().that()
            .areStatic()
            .should(notHoldNettyOrVertxObjects())
            .because("the native image initializes our classes at build time and Netty/Vert.x objects at run time");

    private static ArchCondition<JavaField> notHoldNettyOrVertxObjects() {
        return new ArchCondition<>("not hold a Netty or Vert.x object") {
            @Override
            public void check(JavaField field, ConditionEvents events) {
                for (JavaClass type : field.getType().getAllInvolvedRawTypes()) {
                    String path = holdsFrameworkObject(type, new HashSet<>());
                    if (path != null) {
                        events.add(SimpleConditionEvent.violated(
                                field, field.getFullName() + " is static and holds " + path));
                    }
                }
            }
        };
    }

    /** The framework type {@code type} is or (through instance fields of our classes) holds, or null. */
    private static String holdsFrameworkObject(JavaClass type, Set<JavaClass> seen) {
        JavaClass base = type.isArray() ? type.getBaseComponentType() : type;
        if (isFramework(base)) {
            return base.getName();
        }
        if (!base.getPackageName().startsWith("io.devarno.realtime") || !seen.add(base)) {
            return null;
        }
        for (JavaField member : base.getAllFields()) {
            if (member.getModifiers().contains(JavaModifier.STATIC)) {
                continue;
            }
            for (JavaClass memberType : member.getType().getAllInvolvedRawTypes()) {
                String path = holdsFrameworkObject(memberType, seen);
                if (path != null) {
                    return base.getSimpleName() + "." + member.getName() + " -> " + path;
                }
            }
        }
        return null;
    }

    private static boolean isFramework(JavaClass type) {
        String name = type.getPackageName();
        return name.startsWith("io.netty") || name.startsWith("io.vertx");
    }
}
