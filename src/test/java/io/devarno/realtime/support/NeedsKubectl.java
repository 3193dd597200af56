package io.devarno.realtime.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * Needs {@code kubectl} on the PATH (or {@code KUBECTL}) to render the kustomize manifests.
 * <p>
 * Tagged {@value #TAG}: {@code ./mvnw test} (the fast set, a JDK is enough) leaves it out; {@code ./mvnw verify}
 * runs it (see the surefire executions in pom.xml).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(NeedsKubectl.TAG)
public @interface NeedsKubectl {

    String TAG = "kubectl";
}
