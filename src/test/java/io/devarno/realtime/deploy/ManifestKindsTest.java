package io.devarno.realtime.deploy;

import static io.devarno.realtime.deploy.Manifests.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.devarno.realtime.deploy.Manifests.Document;
import io.devarno.realtime.deploy.Manifests.Rendered;
import io.devarno.realtime.support.NeedsKubectl;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** Every rendered document is a known Kubernetes kind, with no field its kind does not define. */
@NeedsKubectl
class ManifestKindsTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void everyDocumentParsesAsItsKind(String dir) {
        Rendered rendered = render(dir);
        for (Document document : rendered.documents()) {
            HasMetadata object = document.object();
            String what =
                    dir + ": " + object.getKind() + "/" + object.getMetadata().getName();
            assertFalse(object instanceof GenericKubernetesResource, what + " parsed as a generic resource");
            assertEquals(object.getKind(), object.getClass().getSimpleName(), what + " parsed as " + object.getClass());
            List<String> unknown = new ArrayList<>();
            collectUnknownFields(object, object.getKind(), unknown, 0);
            assertTrue(unknown.isEmpty(), what + " has fields its kind does not define (typo?): " + unknown);
        }
        Set<String> kinds =
                rendered.objects().stream().map(HasMetadata::getKind).collect(Collectors.toSet());
        for (String kind : List.of(
                "Deployment",
                "Service",
                "ConfigMap",
                "NetworkPolicy",
                "HorizontalPodAutoscaler",
                "PodDisruptionBudget")) {
            assertTrue(kinds.contains(kind), dir + ": no " + kind + " rendered (got " + kinds + ")");
        }
    }

    /**
     * Fields the model did not recognise land in {@code additionalProperties}: for the typed kinds
     * that means a typo or a field of another API version, which kubectl kustomize does not catch.
     */
    private static void collectUnknownFields(Object node, String path, List<String> unknown, int depth) {
        if (node == null || depth > 40) {
            return;
        }
        if (node instanceof Collection<?> collection) {
            int i = 0;
            for (Object item : collection) {
                collectUnknownFields(item, path + "[" + i++ + "]", unknown, depth + 1);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                collectUnknownFields(entry.getValue(), path + "." + entry.getKey(), unknown, depth + 1);
            }
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model.")) {
            return;
        }
        for (Method method : node.getClass().getMethods()) {
            if (method.getParameterCount() != 0
                    || !method.getName().startsWith("get")
                    || method.getDeclaringClass() == Object.class
                    || method.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = method.invoke(node);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (method.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + " " + extra.keySet());
                }
                continue;
            }
            String field = Character.toLowerCase(method.getName().charAt(3))
                    + method.getName().substring(4);
            collectUnknownFields(value, path + "." + field, unknown, depth + 1);
        }
    }
}
