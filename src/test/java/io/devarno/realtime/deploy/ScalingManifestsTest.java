package io.devarno.realtime.deploy;

import static io.devarno.realtime.deploy.Manifests.isEmpty;
import static io.devarno.realtime.deploy.Manifests.matches;
import static io.devarno.realtime.deploy.Manifests.orDefault;
import static io.devarno.realtime.deploy.Manifests.podLabels;
import static io.devarno.realtime.deploy.Manifests.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.devarno.realtime.deploy.Manifests.Rendered;
import io.devarno.realtime.support.NeedsKubectl;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/** Autoscaling, disruption budget and resources: capacity follows load and is never taken away abruptly. */
@NeedsKubectl
class ScalingManifestsTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void hpaAndPdbTargetTheDeploymentAndItsPods(String dir) {
        Rendered rendered = render(dir);
        Deployment deployment = rendered.deployment();
        Map<String, String> podLabels = podLabels(deployment);
        assertTrue(
                matches(deployment.getSpec().getSelector(), podLabels),
                dir + ": the Deployment's selector does not match its own pod template labels");

        List<HorizontalPodAutoscaler> hpas = rendered.all(HorizontalPodAutoscaler.class).stream()
                .filter(h -> deployment
                        .getMetadata()
                        .getName()
                        .equals(h.getSpec().getScaleTargetRef().getName()))
                .toList();
        assertEquals(
                1,
                hpas.size(),
                dir + ": expected one HorizontalPodAutoscaler targeting Deployment "
                        + deployment.getMetadata().getName());
        HorizontalPodAutoscaler hpa = hpas.get(0);
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind(), dir + ": HPA target kind");
        assertEquals("apps/v1", hpa.getSpec().getScaleTargetRef().getApiVersion(), dir + ": HPA target apiVersion");
        int min = orDefault(hpa.getSpec().getMinReplicas(), 1);
        assertTrue(
                min >= 1 && min <= hpa.getSpec().getMaxReplicas(), dir + ": HPA needs 1 <= minReplicas <= maxReplicas");
        assertTrue(
                hpa.getSpec().getMetrics().stream().map(MetricSpec::getType).anyMatch("Resource"::equals),
                dir + ": HPA should scale on CPU");
        assertTrue(
                hpa.getSpec().getMetrics().stream()
                        .filter(m -> "Pods".equals(m.getType()))
                        .anyMatch(m -> "realtime_connections"
                                .equals(m.getPods().getMetric().getName())),
                dir + ": HPA should scale on the Pods metric realtime_connections");

        List<PodDisruptionBudget> pdbs = rendered.all(PodDisruptionBudget.class).stream()
                .filter(p -> matches(p.getSpec().getSelector(), podLabels))
                .toList();
        assertEquals(1, pdbs.size(), dir + ": expected one PodDisruptionBudget selecting the realtime pods");
        LabelSelector pdbSelector = pdbs.get(0).getSpec().getSelector();
        assertFalse(isEmpty(pdbSelector), dir + ": the PDB selector must not be empty (it would select every pod)");
        assertEquals(new IntOrString(1), pdbs.get(0).getSpec().getMaxUnavailable(), dir + ": PDB maxUnavailable");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void hpaScalesDownOnePodAtATimeAfterLongStabilization(String dir) {
        HorizontalPodAutoscaler hpa =
                render(dir).all(HorizontalPodAutoscaler.class).get(0);
        assertNotNull(hpa.getSpec().getBehavior(), dir + ": the HPA needs an explicit scale-down behaviour");
        HPAScalingRules down = hpa.getSpec().getBehavior().getScaleDown();
        assertNotNull(down, dir + ": the HPA needs behavior.scaleDown");
        assertTrue(
                orDefault(down.getStabilizationWindowSeconds(), 300) >= 300,
                dir + ": scale-down stabilization should be long (>= 300 s)");
        assertFalse(down.getPolicies() == null || down.getPolicies().isEmpty(), dir + ": scale-down needs policies");
        for (HPAScalingPolicy policy : down.getPolicies()) {
            assertEquals("Pods", policy.getType(), dir + ": scale-down policies should count pods, not percent");
            assertTrue(
                    policy.getValue() <= 1 && policy.getPeriodSeconds() >= 60,
                    dir + ": scale-down should remove at most 1 pod per period of >= 60 s, got " + policy);
        }
        // The replica count belongs to the HPA: a 'replicas' value would be re-applied on every
        // 'kubectl apply' and could scale a busy deployment down, disconnecting users.
        assertNull(
                render(dir).deployment().getSpec().getReplicas(),
                dir + ": leave Deployment.spec.replicas unset; set the HPA's minReplicas instead");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void containerHasResourceRequestsAndMemoryLimit(String dir) {
        Rendered rendered = render(dir);
        for (Deployment deployment : rendered.all(Deployment.class)) {
            for (Container container :
                    deployment.getSpec().getTemplate().getSpec().getContainers()) {
                String what = dir + ": " + deployment.getMetadata().getName() + "/" + container.getName();
                assertNotNull(container.getResources(), what + ": resources");
                Map<String, Quantity> requests =
                        Objects.requireNonNullElse(container.getResources().getRequests(), Map.of());
                Map<String, Quantity> limits =
                        Objects.requireNonNullElse(container.getResources().getLimits(), Map.of());
                assertTrue(
                        requests.containsKey("cpu") && requests.containsKey("memory"),
                        what + ": cpu and memory requests");
                assertTrue(limits.containsKey("memory"), what + ": a memory limit");
                assertTrue(
                        limits.get("memory")
                                        .getNumericalAmount()
                                        .compareTo(requests.get("memory").getNumericalAmount())
                                >= 0,
                        what + ": memory limit below the request");
                if (limits.containsKey("cpu")) {
                    assertTrue(
                            limits.get("cpu")
                                            .getNumericalAmount()
                                            .compareTo(requests.get("cpu").getNumericalAmount())
                                    >= 0,
                            what + ": cpu limit below the request");
                }
            }
        }
    }
}
