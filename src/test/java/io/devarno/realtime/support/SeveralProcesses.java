package io.devarno.realtime.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * Starts several processes of its own (service pods, redis-servers, Sentinels) and stops or kills them.
 * <p>
 * Tagged {@value #TAG}: {@code ./mvnw test} (the fast set, a JDK is enough) leaves it out; {@code ./mvnw verify}
 * runs it (an {@code *IT} in failsafe, a {@code *Test} in surefire's tagged-tests execution: see pom.xml).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(SeveralProcesses.TAG)
public @interface SeveralProcesses {

    String TAG = "several-processes";
}
