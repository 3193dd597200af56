package io.devarno.realtime.deploy;

import static io.devarno.realtime.deploy.Manifests.HTTP_PORT;
import static io.devarno.realtime.deploy.Manifests.HTTP_PORT_NAME;
import static io.devarno.realtime.deploy.Manifests.NAME_LABEL;
import static io.devarno.realtime.deploy.Manifests.isEmpty;
import static io.devarno.realtime.deploy.Manifests.matches;
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
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.devarno.realtime.deploy.Manifests.Rendered;
import io.devarno.realtime.support.NeedsKubectl;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

/** Who can reach the pods: an internal Service, a NetworkPolicy for the gateway and Prometheus, scrape annotations. */
@NeedsKubectl
class NetworkManifestsTest {

    /** The only callers the NetworkPolicy may admit, by their {@value Manifests#NAME_LABEL} label. */
    private static final Set<String> ADMITTED_CALLERS = Set.of("api-gateway", "prometheus");

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void serviceIsClusterIpTargetingNamedHttpPort(String dir) {
        Rendered rendered = render(dir);
        for (Service service : rendered.all(Service.class)) {
            String type = Objects.requireNonNullElse(service.getSpec().getType(), "ClusterIP");
            assertEquals(
                    "ClusterIP",
                    type,
                    dir + ": Service " + service.getMetadata().getName() + " must stay internal (ClusterIP)");
            assertTrue(
                    service.getSpec().getExternalIPs() == null
                            || service.getSpec().getExternalIPs().isEmpty(),
                    dir + ": Service " + service.getMetadata().getName() + " must not have externalIPs");
        }
        Map<String, String> podLabels = podLabels(rendered.deployment());
        List<Service> services = rendered.all(Service.class).stream()
                .filter(s -> s.getSpec().getSelector() != null
                        && !s.getSpec().getSelector().isEmpty())
                .filter(s -> podLabels
                        .entrySet()
                        .containsAll(s.getSpec().getSelector().entrySet()))
                .toList();
        assertEquals(1, services.size(), dir + ": expected one Service selecting the realtime pods");
        List<ServicePort> ports = services.get(0).getSpec().getPorts();
        assertEquals(1, ports.size(), dir + ": the Service exposes exactly one port");
        assertEquals(HTTP_PORT, ports.get(0).getPort(), dir + ": Service port");
        assertEquals(new IntOrString(HTTP_PORT_NAME), ports.get(0).getTargetPort(), dir + ": Service targetPort");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void networkPolicyAdmitsOnlyGatewayAndPrometheusOn8085(String dir) {
        Rendered rendered = render(dir);
        Map<String, String> podLabels = podLabels(rendered.deployment());
        List<NetworkPolicy> policies = rendered.all(NetworkPolicy.class).stream()
                .filter(p -> matches(p.getSpec().getPodSelector(), podLabels))
                .toList();
        assertFalse(policies.isEmpty(), dir + ": no NetworkPolicy selects the realtime pods");

        Set<String> admitted = new TreeSet<>();
        for (NetworkPolicy policy : policies) {
            String what = dir + ": NetworkPolicy " + policy.getMetadata().getName();
            assertFalse(
                    isEmpty(policy.getSpec().getPodSelector()), what + " must select the realtime pods, not every pod");
            assertTrue(policy.getSpec().getPolicyTypes().contains("Ingress"), what + " must have policyTypes Ingress");
            for (NetworkPolicyIngressRule rule :
                    Objects.requireNonNullElse(policy.getSpec().getIngress(), List.<NetworkPolicyIngressRule>of())) {
                assertFalse(
                        rule.getFrom() == null || rule.getFrom().isEmpty(),
                        what + ": a rule without 'from' admits everyone");
                assertFalse(
                        rule.getPorts() == null || rule.getPorts().isEmpty(),
                        what + ": a rule without 'ports' admits every port");
                for (NetworkPolicyPort port : rule.getPorts()) {
                    assertTrue(
                            new IntOrString(HTTP_PORT).equals(port.getPort())
                                    || new IntOrString(HTTP_PORT_NAME).equals(port.getPort()),
                            what + ": only port " + HTTP_PORT + " may be admitted, got " + port.getPort());
                    assertTrue(port.getProtocol() == null || "TCP".equals(port.getProtocol()), what + ": TCP only");
                    assertNull(port.getEndPort(), what + ": no port ranges");
                }
                for (NetworkPolicyPeer peer : rule.getFrom()) {
                    assertNull(peer.getIpBlock(), what + ": no ipBlock peers (they bypass the pod labels)");
                    assertNotNull(peer.getPodSelector(), what + ": every peer must select pods by label, got " + peer);
                    Map<String, String> labels =
                            Objects.requireNonNullElse(peer.getPodSelector().getMatchLabels(), Map.of());
                    String caller = labels.get(NAME_LABEL);
                    assertTrue(
                            ADMITTED_CALLERS.contains(caller),
                            what + ": peer must be pods labelled " + NAME_LABEL + " in " + ADMITTED_CALLERS + ", got "
                                    + labels);
                    admitted.add(caller);
                }
            }
        }
        assertEquals(
                new TreeSet<>(ADMITTED_CALLERS), admitted, dir + ": the gateway and Prometheus must both be admitted");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void podsAreAnnotatedForPrometheusScraping(String dir) {
        Map<String, String> annotations = Objects.requireNonNullElse(
                render(dir).deployment().getSpec().getTemplate().getMetadata().getAnnotations(), Map.of());
        assertEquals("true", annotations.get("prometheus.io/scrape"), dir + ": prometheus.io/scrape");
        assertEquals(String.valueOf(HTTP_PORT), annotations.get("prometheus.io/port"), dir + ": prometheus.io/port");
        assertEquals("/q/metrics", annotations.get("prometheus.io/path"), dir + ": prometheus.io/path");
    }
}
