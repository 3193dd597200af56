package io.devarno.realtime.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Checks the deployment manifests (contract section 9) without a cluster: every kustomization
 * under {@code k8s/} (the base and each overlay) is rendered with {@code kubectl kustomize}, parsed
 * with the fabric8 model, and checked against what the service needs (port, health paths, shutdown
 * timing, security, configuration names). Plain JUnit, no Quarkus application is started.
 *
 * <p>Needs {@code kubectl} on the PATH (Debian package {@code kubectl}), or its path in the
 * {@code KUBECTL} environment variable / {@code kubectl} system property.
 */
class KubernetesManifestsTest {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path K8S = PROJECT.resolve("k8s");
    private static final Path DOCKER = PROJECT.resolve("src/main/docker");

    private static final String APP = "realtime-service";
    private static final String NAME_LABEL = "app.kubernetes.io/name";
    private static final int HTTP_PORT = 8085;
    private static final String HTTP_PORT_NAME = "http";
    /** The service exits at the latest this long after the drain ends (contract section 8). */
    private static final long EXIT_MARGIN_SECONDS = 5;
    private static final String DEFAULT_DRAIN = "10s";

    /** Environment variables the service reads (README, "Configuration"). */
    private static final Set<String> DOCUMENTED_ENV = Set.of(
            "QUARKUS_HTTP_PORT",
            "QUARKUS_REDIS_HOSTS",
            "QUARKUS_REDIS_CLIENT_TYPE",
            "QUARKUS_REDIS_MASTER_NAME",
            "QUARKUS_REDIS_ROLE",
            "REALTIME_AUTH_MODE",
            "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
            "MP_JWT_VERIFY_ISSUER",
            "REALTIME_ALLOWED_ORIGINS",
            "REALTIME_SHUTDOWN_DRAIN",
            "REALTIME_POD_ID",
            "REALTIME_MAX_CONNECTIONS",
            "QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE");

    /** The only callers the NetworkPolicy may admit, by their {@value #NAME_LABEL} label. */
    private static final Set<String> ADMITTED_CALLERS = Set.of("api-gateway", "prometheus");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Map<String, Rendered> RENDERED = new ConcurrentHashMap<>();

    // ------------------------------------------------------------------------------------------
    // Kustomize output
    // ------------------------------------------------------------------------------------------

    /** The base and every overlay; dev and prod must exist. */
    static Stream<String> kustomizations() throws IOException {
        assertTrue(Files.isRegularFile(K8S.resolve("base/kustomization.yaml")),
                "no k8s/base/kustomization.yaml under " + PROJECT + " (run the test from the project root)");
        List<String> dirs = new ArrayList<>();
        dirs.add("k8s/base");
        try (Stream<Path> overlays = Files.list(K8S.resolve("overlays"))) {
            overlays.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
                    .map(d -> "k8s/overlays/" + d.getFileName())
                    .sorted()
                    .forEach(dirs::add);
        }
        assertTrue(dirs.contains("k8s/overlays/dev"), "missing overlay k8s/overlays/dev");
        assertTrue(dirs.contains("k8s/overlays/prod"), "missing overlay k8s/overlays/prod");
        return dirs.stream();
    }

    private record Document(String yaml, HasMetadata object) {
    }

    private record Rendered(String dir, List<Document> documents) {

        List<HasMetadata> objects() {
            return documents.stream().map(Document::object).toList();
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects().stream().filter(type::isInstance).map(type::cast).toList();
        }

        Deployment deployment() {
            List<Deployment> matches = all(Deployment.class).stream()
                    .filter(d -> APP.equals(podLabels(d).get(NAME_LABEL)))
                    .toList();
            assertEquals(1, matches.size(),
                    dir + ": expected exactly one Deployment whose pods are labelled " + NAME_LABEL + "=" + APP);
            return matches.get(0);
        }

        Container container() {
            List<Container> containers = deployment().getSpec().getTemplate().getSpec().getContainers();
            return containers.stream().filter(c -> APP.equals(c.getName())).findFirst()
                    .orElseGet(() -> {
                        assertEquals(1, containers.size(), dir + ": no container named " + APP);
                        return containers.get(0);
                    });
        }

        Optional<HasMetadata> find(String kind, String name) {
            return objects().stream()
                    .filter(o -> kind.equals(o.getKind()) && name.equals(o.getMetadata().getName()))
                    .findFirst();
        }
    }

    private static Rendered render(String dir) {
        return RENDERED.computeIfAbsent(dir, KubernetesManifestsTest::kustomize);
    }

    private static Rendered kustomize(String dir) {
        String kubectl = kubectl();
        String yaml;
        try {
            File stderr = File.createTempFile("kustomize", ".err");
            stderr.deleteOnExit();
            Process process = new ProcessBuilder(kubectl, "kustomize", dir)
                    .directory(PROJECT.toFile())
                    .redirectError(stderr)
                    .start();
            process.getOutputStream().close();
            yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("'" + kubectl + " kustomize " + dir + "' did not finish within 120 s");
            }
            if (process.exitValue() != 0) {
                fail("'" + kubectl + " kustomize " + dir + "' failed (exit " + process.exitValue() + "):\n"
                        + Files.readString(stderr.toPath()));
            }
        } catch (IOException e) {
            throw new AssertionError("could not run '" + kubectl + " kustomize " + dir + "': " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while rendering " + dir, e);
        }

        List<Document> documents = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.isBlank()) {
                continue;
            }
            GenericKubernetesResource generic = SERIALIZATION.unmarshal(doc, GenericKubernetesResource.class);
            Class<? extends KubernetesResource> type = SERIALIZATION.getRegisteredKubernetesResource(
                    generic.getApiVersion(), generic.getKind());
            if (type == null || type == GenericKubernetesResource.class) {
                fail(dir + ": no Kubernetes model for apiVersion=" + generic.getApiVersion() + " kind="
                        + generic.getKind() + " (" + generic.getMetadata().getName() + ")");
            }
            Object parsed = SERIALIZATION.unmarshal(doc, type);
            assertTrue(parsed instanceof HasMetadata, dir + ": " + generic.getKind() + " did not parse to a resource");
            documents.add(new Document(doc, (HasMetadata) parsed));
        }
        assertFalse(documents.isEmpty(), "'kubectl kustomize " + dir + "' rendered nothing");
        return new Rendered(dir, documents);
    }

    private static String kubectl() {
        String configured = Optional.ofNullable(System.getProperty("kubectl")).orElse(System.getenv("KUBECTL"));
        if (configured != null && !configured.isBlank()) {
            if (!new File(configured).canExecute()) {
                fail("kubectl configured as '" + configured + "' (KUBECTL / -Dkubectl) is not an executable file");
            }
            return configured;
        }
        List<String> candidates = new ArrayList<>();
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                candidates.add(entry + File.separator + "kubectl");
            }
        }
        candidates.add("/usr/bin/kubectl");
        candidates.add("/usr/local/bin/kubectl");
        return candidates.stream().filter(c -> new File(c).canExecute()).findFirst()
                .orElseGet(() -> fail("kubectl is required to render the manifests with 'kubectl kustomize' but was "
                        + "not found on the PATH: install it (Debian package 'kubectl') or set KUBECTL=/path/to/kubectl"));
    }

    // ------------------------------------------------------------------------------------------
    // Tests on the rendered manifests
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void everyDocumentParsesAsItsKind(String dir) {
        Rendered rendered = render(dir);
        for (Document document : rendered.documents()) {
            HasMetadata object = document.object();
            String what = dir + ": " + object.getKind() + "/" + object.getMetadata().getName();
            assertFalse(object instanceof GenericKubernetesResource, what + " parsed as a generic resource");
            assertEquals(object.getKind(), object.getClass().getSimpleName(), what + " parsed as " + object.getClass());
            List<String> unknown = new ArrayList<>();
            collectUnknownFields(object, object.getKind(), unknown, 0);
            assertTrue(unknown.isEmpty(), what + " has fields its kind does not define (typo?): " + unknown);
        }
        Set<String> kinds = rendered.objects().stream().map(HasMetadata::getKind).collect(Collectors.toSet());
        for (String kind : List.of("Deployment", "Service", "ConfigMap", "NetworkPolicy", "HorizontalPodAutoscaler",
                "PodDisruptionBudget")) {
            assertTrue(kinds.contains(kind), dir + ": no " + kind + " rendered (got " + kinds + ")");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void probesUseQuarkusHealthPathsOnNamedPort8085(String dir) {
        Rendered rendered = render(dir);
        Container container = rendered.container();

        List<ContainerPort> http = container.getPorts().stream()
                .filter(p -> HTTP_PORT_NAME.equals(p.getName())).toList();
        assertEquals(1, http.size(), dir + ": the container needs one port named '" + HTTP_PORT_NAME + "'");
        assertEquals(HTTP_PORT, http.get(0).getContainerPort(), dir + ": port 'http' must be " + HTTP_PORT);
        assertTrue(http.get(0).getProtocol() == null || "TCP".equals(http.get(0).getProtocol()), dir + ": http is TCP");

        assertHttpProbe(dir, container, "liveness", container.getLivenessProbe(), "/q/health/live");
        assertHttpProbe(dir, container, "readiness", container.getReadinessProbe(), "/q/health/ready");
        assertHttpProbe(dir, container, "startup", container.getStartupProbe(), "/q/health/started");

        Probe startup = container.getStartupProbe();
        long startupBudget = (long) orDefault(startup.getPeriodSeconds(), 10) * orDefault(startup.getFailureThreshold(), 3);
        assertTrue(startupBudget >= 30, dir + ": the startup probe should tolerate at least 30 s, allows " + startupBudget + " s");
        assertTrue(orDefault(container.getReadinessProbe().getPeriodSeconds(), 10) <= 10,
                dir + ": the readiness probe period should be short (<= 10 s) so draining pods leave the Service fast");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void terminationGracePeriodExceedsPreStopPlusDrainPlusExitMargin(String dir) {
        Rendered rendered = render(dir);
        PodSpec pod = rendered.deployment().getSpec().getTemplate().getSpec();
        Container container = rendered.container();

        assertNotNull(container.getLifecycle(), dir + ": the container needs a preStop pause");
        LifecycleHandler preStop = container.getLifecycle().getPreStop();
        assertNotNull(preStop, dir + ": the container needs a preStop pause");
        assertNull(preStop.getExec(), dir + ": preStop must not exec a command: the native micro image has no shell or sleep binary");
        assertNotNull(preStop.getSleep(), dir + ": preStop must use the built-in sleep handler (lifecycle.preStop.sleep.seconds)");
        long preStopSeconds = preStop.getSleep().getSeconds();
        assertTrue(preStopSeconds > 0, dir + ": preStop sleep must be positive");

        String drainValue = effectiveEnv(rendered).getOrDefault("REALTIME_SHUTDOWN_DRAIN", DEFAULT_DRAIN);
        Duration drain = parseQuarkusDuration(drainValue);
        long grace = orDefault(pod.getTerminationGracePeriodSeconds(), 30L);
        long needed = preStopSeconds + (long) Math.ceil(drain.toMillis() / 1000.0) + EXIT_MARGIN_SECONDS;
        assertTrue(grace > needed, dir + ": terminationGracePeriodSeconds=" + grace + " must exceed preStop "
                + preStopSeconds + " s + drain " + drainValue + " + " + EXIT_MARGIN_SECONDS + " s = " + needed + " s");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void hpaAndPdbTargetTheDeploymentAndItsPods(String dir) {
        Rendered rendered = render(dir);
        Deployment deployment = rendered.deployment();
        Map<String, String> podLabels = podLabels(deployment);
        assertTrue(matches(deployment.getSpec().getSelector(), podLabels),
                dir + ": the Deployment's selector does not match its own pod template labels");

        List<HorizontalPodAutoscaler> hpas = rendered.all(HorizontalPodAutoscaler.class).stream()
                .filter(h -> deployment.getMetadata().getName().equals(h.getSpec().getScaleTargetRef().getName()))
                .toList();
        assertEquals(1, hpas.size(), dir + ": expected one HorizontalPodAutoscaler targeting Deployment "
                + deployment.getMetadata().getName());
        HorizontalPodAutoscaler hpa = hpas.get(0);
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind(), dir + ": HPA target kind");
        assertEquals("apps/v1", hpa.getSpec().getScaleTargetRef().getApiVersion(), dir + ": HPA target apiVersion");
        int min = orDefault(hpa.getSpec().getMinReplicas(), 1);
        assertTrue(min >= 1 && min <= hpa.getSpec().getMaxReplicas(), dir + ": HPA needs 1 <= minReplicas <= maxReplicas");
        assertTrue(hpa.getSpec().getMetrics().stream().map(MetricSpec::getType).anyMatch("Resource"::equals),
                dir + ": HPA should scale on CPU");
        assertTrue(hpa.getSpec().getMetrics().stream()
                        .filter(m -> "Pods".equals(m.getType()))
                        .anyMatch(m -> "realtime_connections".equals(m.getPods().getMetric().getName())),
                dir + ": HPA should scale on the Pods metric realtime_connections");

        List<PodDisruptionBudget> pdbs = rendered.all(PodDisruptionBudget.class).stream()
                .filter(p -> matches(p.getSpec().getSelector(), podLabels)).toList();
        assertEquals(1, pdbs.size(), dir + ": expected one PodDisruptionBudget selecting the realtime pods");
        LabelSelector pdbSelector = pdbs.get(0).getSpec().getSelector();
        assertFalse(isEmpty(pdbSelector), dir + ": the PDB selector must not be empty (it would select every pod)");
        assertEquals(new IntOrString(1), pdbs.get(0).getSpec().getMaxUnavailable(), dir + ": PDB maxUnavailable");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void hpaScalesDownOnePodAtATimeAfterLongStabilization(String dir) {
        HorizontalPodAutoscaler hpa = render(dir).all(HorizontalPodAutoscaler.class).get(0);
        assertNotNull(hpa.getSpec().getBehavior(), dir + ": the HPA needs an explicit scale-down behaviour");
        HPAScalingRules down = hpa.getSpec().getBehavior().getScaleDown();
        assertNotNull(down, dir + ": the HPA needs behavior.scaleDown");
        assertTrue(orDefault(down.getStabilizationWindowSeconds(), 300) >= 300,
                dir + ": scale-down stabilization should be long (>= 300 s)");
        assertFalse(down.getPolicies() == null || down.getPolicies().isEmpty(), dir + ": scale-down needs policies");
        for (HPAScalingPolicy policy : down.getPolicies()) {
            assertEquals("Pods", policy.getType(), dir + ": scale-down policies should count pods, not percent");
            assertTrue(policy.getValue() <= 1 && policy.getPeriodSeconds() >= 60,
                    dir + ": scale-down should remove at most 1 pod per period of >= 60 s, got " + policy);
        }
        // The replica count belongs to the HPA: a 'replicas' value would be re-applied on every
        // 'kubectl apply' and could scale a busy deployment down, disconnecting users.
        assertNull(render(dir).deployment().getSpec().getReplicas(),
                dir + ": leave Deployment.spec.replicas unset; set the HPA's minReplicas instead");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void serviceIsClusterIpTargetingNamedHttpPort(String dir) {
        Rendered rendered = render(dir);
        for (Service service : rendered.all(Service.class)) {
            String type = Objects.requireNonNullElse(service.getSpec().getType(), "ClusterIP");
            assertEquals("ClusterIP", type, dir + ": Service " + service.getMetadata().getName()
                    + " must stay internal (ClusterIP)");
            assertTrue(service.getSpec().getExternalIPs() == null || service.getSpec().getExternalIPs().isEmpty(),
                    dir + ": Service " + service.getMetadata().getName() + " must not have externalIPs");
        }
        Map<String, String> podLabels = podLabels(rendered.deployment());
        List<Service> services = rendered.all(Service.class).stream()
                .filter(s -> s.getSpec().getSelector() != null && !s.getSpec().getSelector().isEmpty())
                .filter(s -> podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet()))
                .toList();
        assertEquals(1, services.size(), dir + ": expected one Service selecting the realtime pods");
        List<ServicePort> ports = services.get(0).getSpec().getPorts();
        assertEquals(1, ports.size(), dir + ": the Service exposes exactly one port");
        assertEquals(HTTP_PORT, ports.get(0).getPort(), dir + ": Service port");
        assertEquals(new IntOrString(HTTP_PORT_NAME), ports.get(0).getTargetPort(), dir + ": Service targetPort");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void networkPolicyAdmitsOnlyGatewayAndPrometheusOn8085(String dir) {
        Rendered rendered = render(dir);
        Map<String, String> podLabels = podLabels(rendered.deployment());
        List<NetworkPolicy> policies = rendered.all(NetworkPolicy.class).stream()
                .filter(p -> matches(p.getSpec().getPodSelector(), podLabels)).toList();
        assertFalse(policies.isEmpty(), dir + ": no NetworkPolicy selects the realtime pods");

        Set<String> admitted = new TreeSet<>();
        for (NetworkPolicy policy : policies) {
            String what = dir + ": NetworkPolicy " + policy.getMetadata().getName();
            assertFalse(isEmpty(policy.getSpec().getPodSelector()), what + " must select the realtime pods, not every pod");
            assertTrue(policy.getSpec().getPolicyTypes().contains("Ingress"), what + " must have policyTypes Ingress");
            for (NetworkPolicyIngressRule rule : Objects.requireNonNullElse(policy.getSpec().getIngress(),
                    List.<NetworkPolicyIngressRule> of())) {
                assertFalse(rule.getFrom() == null || rule.getFrom().isEmpty(), what + ": a rule without 'from' admits everyone");
                assertFalse(rule.getPorts() == null || rule.getPorts().isEmpty(), what + ": a rule without 'ports' admits every port");
                for (NetworkPolicyPort port : rule.getPorts()) {
                    assertTrue(new IntOrString(HTTP_PORT).equals(port.getPort())
                            || new IntOrString(HTTP_PORT_NAME).equals(port.getPort()),
                            what + ": only port " + HTTP_PORT + " may be admitted, got " + port.getPort());
                    assertTrue(port.getProtocol() == null || "TCP".equals(port.getProtocol()), what + ": TCP only");
                    assertNull(port.getEndPort(), what + ": no port ranges");
                }
                for (NetworkPolicyPeer peer : rule.getFrom()) {
                    assertNull(peer.getIpBlock(), what + ": no ipBlock peers (they bypass the pod labels)");
                    assertNotNull(peer.getPodSelector(), what + ": every peer must select pods by label, got " + peer);
                    Map<String, String> labels = Objects.requireNonNullElse(peer.getPodSelector().getMatchLabels(), Map.of());
                    String caller = labels.get(NAME_LABEL);
                    assertTrue(ADMITTED_CALLERS.contains(caller),
                            what + ": peer must be pods labelled " + NAME_LABEL + " in " + ADMITTED_CALLERS + ", got " + labels);
                    admitted.add(caller);
                }
            }
        }
        assertEquals(new TreeSet<>(ADMITTED_CALLERS), admitted, dir + ": the gateway and Prometheus must both be admitted");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void containersRunAsNonRootWithReadOnlyRootAndNoPrivilegeEscalation(String dir) throws IOException {
        Rendered rendered = render(dir);
        for (Deployment deployment : rendered.all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            PodSecurityContext podContext = Objects.requireNonNullElse(pod.getSecurityContext(), new PodSecurityContext());
            List<Container> containers = new ArrayList<>(pod.getContainers());
            if (pod.getInitContainers() != null) {
                containers.addAll(pod.getInitContainers());
            }
            assertFalse(Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                    || Boolean.TRUE.equals(pod.getHostIPC()), dir + ": no host namespaces");
            for (Container container : containers) {
                String what = dir + ": " + deployment.getMetadata().getName() + "/" + container.getName();
                SecurityContext sc = Objects.requireNonNullElse(container.getSecurityContext(), new SecurityContext());
                Boolean nonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : podContext.getRunAsNonRoot();
                Long user = sc.getRunAsUser() != null ? sc.getRunAsUser() : podContext.getRunAsUser();
                SeccompProfile seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile() : podContext.getSeccompProfile();
                assertEquals(Boolean.TRUE, nonRoot, what + ": runAsNonRoot must be true");
                assertNotNull(user, what + ": runAsUser must be set");
                assertNotEquals(0L, user, what + ": runAsUser must not be 0");
                assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), what + ": readOnlyRootFilesystem must be true");
                assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), what + ": allowPrivilegeEscalation must be false");
                assertNotEquals(Boolean.TRUE, sc.getPrivileged(), what + ": must not be privileged");
                assertTrue(sc.getCapabilities() != null && sc.getCapabilities().getDrop() != null
                        && sc.getCapabilities().getDrop().contains("ALL"), what + ": capabilities must drop ALL");
                assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(),
                        what + ": no added capabilities");
                assertNotNull(seccomp, what + ": a seccomp profile is required");
                assertEquals("RuntimeDefault", seccomp.getType(), what + ": seccompProfile must be RuntimeDefault");
            }
        }

        // The realtime container runs as the USER of one of the two images.
        Container app = rendered.container();
        PodSecurityContext podContext = rendered.deployment().getSpec().getTemplate().getSpec().getSecurityContext();
        Long user = app.getSecurityContext().getRunAsUser() != null ? app.getSecurityContext().getRunAsUser()
                : podContext == null ? null : podContext.getRunAsUser();
        Set<Long> imageUsers = Stream.of(dockerfileUser("Dockerfile.native-micro"), dockerfileUser("Dockerfile.jvm"))
                .filter(u -> u.matches("\\d+")).map(Long::valueOf).collect(Collectors.toSet());
        assertTrue(imageUsers.contains(user), dir + ": runAsUser " + user + " is not the user of an image " + imageUsers);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void tmpIsAWritableEmptyDir(String dir) {
        Rendered rendered = render(dir);
        PodSpec pod = rendered.deployment().getSpec().getTemplate().getSpec();
        VolumeMount tmp = rendered.container().getVolumeMounts().stream()
                .filter(m -> "/tmp".equals(m.getMountPath())).findFirst()
                .orElseGet(() -> fail(dir + ": /tmp must be a mounted volume (the root filesystem is read-only)"));
        assertNotEquals(Boolean.TRUE, tmp.getReadOnly(), dir + ": /tmp must be writable");
        Volume volume = volume(pod, tmp.getName()).orElseGet(() -> fail(dir + ": no volume " + tmp.getName()));
        assertNotNull(volume.getEmptyDir(), dir + ": /tmp should be an emptyDir");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void environmentUsesOnlyDocumentedVariables(String dir) {
        Rendered rendered = render(dir);
        for (EnvFromSource source : Objects.requireNonNullElse(rendered.container().getEnvFrom(), List.<EnvFromSource> of())) {
            assertNull(source.getSecretRef(), dir + ": envFrom a Secret cannot be checked; map its keys with env.valueFrom");
            assertNotNull(source.getConfigMapRef(), dir + ": envFrom must reference a ConfigMap");
            assertNull(source.getPrefix(), dir + ": no envFrom prefix");
        }
        Set<String> names = new TreeSet<>(effectiveEnv(rendered).keySet());
        names.removeAll(DOCUMENTED_ENV);
        assertTrue(names.isEmpty(), dir + ": undocumented environment variables " + names + "; the service reads "
                + new TreeSet<>(DOCUMENTED_ENV));
        assertEquals(String.valueOf(HTTP_PORT), effectiveEnv(rendered).getOrDefault("QUARKUS_HTTP_PORT", String.valueOf(HTTP_PORT)),
                dir + ": QUARKUS_HTTP_PORT must match the container port");
    }

    /**
     * Without a CPU limit the JVM sees every core of the node and Quarkus would start two event loops per core;
     * the fan-out is cheapest on few loops (README, "Benchmark"), so the count is set explicitly.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void eventLoopCountIsPinnedBecauseThereIsNoCpuLimit(String dir) {
        String loops = effectiveEnv(render(dir)).get("QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE");
        assertNotNull(loops, dir + ": QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE must be set");
        assertTrue(loops.matches("[1-9][0-9]*"), dir + ": QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE=" + loops);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void redisAddressJwtKeyAndPodIdComeFromSecretsAndDownwardApi(String dir) {
        Rendered rendered = render(dir);
        Container container = rendered.container();
        PodSpec pod = rendered.deployment().getSpec().getTemplate().getSpec();
        Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));

        EnvVar redis = env.get("QUARKUS_REDIS_HOSTS");
        assertNotNull(redis, dir + ": QUARKUS_REDIS_HOSTS must be set");
        assertTrue(redis.getValueFrom() != null && redis.getValueFrom().getSecretKeyRef() != null,
                dir + ": QUARKUS_REDIS_HOSTS must come from a Secret (it may hold a password)");
        String redisSecret = redis.getValueFrom().getSecretKeyRef().getName();
        assertTrue(isGeneratedFrom(redisSecret, "realtime-secrets"), dir + ": Redis Secret " + redisSecret);
        assertEquals("redis-hosts", redis.getValueFrom().getSecretKeyRef().getKey(), dir + ": Redis Secret key");
        rendered.find("Secret", redisSecret).ifPresent(s -> assertTrue(secretKeys((Secret) s).contains("redis-hosts"),
                dir + ": Secret " + redisSecret + " lacks the key redis-hosts"));

        EnvVar podId = env.get("REALTIME_POD_ID");
        assertNotNull(podId, dir + ": REALTIME_POD_ID must be set");
        assertTrue(podId.getValueFrom() != null && podId.getValueFrom().getFieldRef() != null
                && "metadata.name".equals(podId.getValueFrom().getFieldRef().getFieldPath()),
                dir + ": REALTIME_POD_ID must come from the pod name (fieldRef metadata.name)");

        String location = effectiveEnv(rendered).get("MP_JWT_VERIFY_PUBLICKEY_LOCATION");
        assertNotNull(location, dir + ": MP_JWT_VERIFY_PUBLICKEY_LOCATION must be set (auth mode jwt)");
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        VolumeMount mount = container.getVolumeMounts().stream()
                .filter(m -> path.startsWith(m.getMountPath().endsWith("/") ? m.getMountPath() : m.getMountPath() + "/"))
                .findFirst()
                .orElseGet(() -> fail(dir + ": no volume is mounted where the JWT key is read: " + path));
        Volume volume = volume(pod, mount.getName()).orElseGet(() -> fail(dir + ": no volume " + mount.getName()));
        assertNotNull(volume.getSecret(), dir + ": the JWT key must be mounted from a Secret");
        String jwtSecret = volume.getSecret().getSecretName();
        assertTrue(isGeneratedFrom(jwtSecret, "realtime-jwt"), dir + ": JWT Secret " + jwtSecret);
        String file = path.substring(mount.getMountPath().length()).replaceFirst("^/", "");
        rendered.find("Secret", jwtSecret).ifPresent(s -> assertTrue(secretKeys((Secret) s).contains(file),
                dir + ": Secret " + jwtSecret + " lacks the key " + file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void imageIsRealtimeServiceWithPinnedTagInOverlays(String dir) {
        String image = render(dir).container().getImage();
        String withoutDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = withoutDigest.lastIndexOf('/');
        int colon = withoutDigest.lastIndexOf(':');
        String repository = colon > slash ? withoutDigest.substring(0, colon) : withoutDigest;
        String tag = colon > slash ? withoutDigest.substring(colon + 1) : null;
        assertEquals(APP, repository.substring(repository.lastIndexOf('/') + 1), dir + ": image " + image);
        if (dir.startsWith("k8s/overlays/")) {
            assertTrue(image.contains("@") || (tag != null && !"latest".equals(tag)),
                    dir + ": overlays must pin the image tag (not latest), got " + image);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void containerHasResourceRequestsAndMemoryLimit(String dir) {
        Rendered rendered = render(dir);
        for (Deployment deployment : rendered.all(Deployment.class)) {
            for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                String what = dir + ": " + deployment.getMetadata().getName() + "/" + container.getName();
                assertNotNull(container.getResources(), what + ": resources");
                Map<String, Quantity> requests = Objects.requireNonNullElse(container.getResources().getRequests(), Map.of());
                Map<String, Quantity> limits = Objects.requireNonNullElse(container.getResources().getLimits(), Map.of());
                assertTrue(requests.containsKey("cpu") && requests.containsKey("memory"), what + ": cpu and memory requests");
                assertTrue(limits.containsKey("memory"), what + ": a memory limit");
                assertTrue(limits.get("memory").getNumericalAmount().compareTo(requests.get("memory").getNumericalAmount()) >= 0,
                        what + ": memory limit below the request");
                if (limits.containsKey("cpu")) {
                    assertTrue(limits.get("cpu").getNumericalAmount().compareTo(requests.get("cpu").getNumericalAmount()) >= 0,
                            what + ": cpu limit below the request");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void rollingUpdateNeverReducesCapacity(String dir) {
        Deployment deployment = render(dir).deployment();
        assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType(), dir + ": strategy");
        RollingUpdateDeployment rolling = deployment.getSpec().getStrategy().getRollingUpdate();
        assertNotNull(rolling, dir + ": rollingUpdate settings");
        assertTrue(new IntOrString(0).equals(rolling.getMaxUnavailable()) || new IntOrString("0%").equals(rolling.getMaxUnavailable()),
                dir + ": maxUnavailable must be 0, got " + rolling.getMaxUnavailable());
        assertEquals(new IntOrString(1), rolling.getMaxSurge(), dir + ": maxSurge");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kustomizations")
    void podsAreAnnotatedForPrometheusScraping(String dir) {
        Map<String, String> annotations = Objects.requireNonNullElse(
                render(dir).deployment().getSpec().getTemplate().getMetadata().getAnnotations(), Map.of());
        assertEquals("true", annotations.get("prometheus.io/scrape"), dir + ": prometheus.io/scrape");
        assertEquals(String.valueOf(HTTP_PORT), annotations.get("prometheus.io/port"), dir + ": prometheus.io/port");
        assertEquals("/q/metrics", annotations.get("prometheus.io/path"), dir + ": prometheus.io/path");
    }

    // ------------------------------------------------------------------------------------------
    // Dockerfiles
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "Dockerfile.native-micro", "Dockerfile.jvm" })
    void dockerfileExposes8085AndRunsAsNonRootUser(String name) throws IOException {
        List<String[]> instructions = dockerInstructions(name);
        Set<String> exposed = instructions.stream().filter(i -> i[0].equals("EXPOSE"))
                .flatMap(i -> Stream.of(i[1].trim().split("\\s+")))
                .map(p -> p.replaceFirst("/tcp$", ""))
                .collect(Collectors.toSet());
        assertTrue(exposed.contains(String.valueOf(HTTP_PORT)), name + ": must EXPOSE " + HTTP_PORT + ", exposes " + exposed);

        String user = dockerfileUser(name);
        assertTrue(user.matches("\\d+"), name + ": USER should be numeric (runAsNonRoot can only verify numeric users), got " + user);
        assertNotEquals("0", user, name + ": USER must not be root");

        String entrypoint = instructions.stream().filter(i -> i[0].equals("ENTRYPOINT") || i[0].equals("ENV"))
                .map(i -> i[1]).collect(Collectors.joining("\n"));
        assertTrue(entrypoint.contains("-Dquarkus.http.host=0.0.0.0"), name + ": must listen on 0.0.0.0");
    }

    /**
     * The JVM image's settings, put together the way the base image's run-java.sh does (its defaults, then
     * JAVA_OPTS_APPEND), start this JDK with the memory settings the README's benchmark measured.
     */
    @Test
    void jvmImageStartsWithTheBenchmarkedMemorySettings() throws Exception {
        Map<String, String> env = dockerEnv("Dockerfile.jvm");
        assertEquals("2", env.get("MALLOC_ARENA_MAX"), "Dockerfile.jvm: MALLOC_ARENA_MAX");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:MaxRAMPercentage=80.0");
        command.addAll(List.of(env.getOrDefault("GC_CONTAINER_OPTIONS", "-XX:+UseParallelGC").split("\\s+")));
        command.addAll(List.of("-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-XX:GCTimeRatio=4",
                "-XX:AdaptiveSizePolicyWeight=90", "-XX:+ExitOnOutOfMemoryError"));
        command.addAll(List.of(env.getOrDefault("JAVA_OPTS_APPEND", "").trim().split("\\s+")));
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the JVM did not exit");
        assertEquals(0, jvm.exitValue(), "the JVM refused the image's options " + command + ":\n" + output);

        Map<String, String> flags = new LinkedHashMap<>();
        Matcher flag = Pattern.compile("(?m)^\\s*\\S+\\s+(\\w+)\\s+:?=\\s+(\\S+)").matcher(output);
        while (flag.find()) {
            flags.put(flag.group(1), flag.group(2));
        }
        assertEquals("true", flags.get("UseSerialGC"), "collector");
        assertEquals("false", flags.get("UseParallelGC"), "collector");
        assertEquals(String.valueOf(24L << 20), flags.get("NewSize"), "young generation");
        assertEquals(String.valueOf(24L << 20), flags.get("MaxNewSize"), "young generation");
        assertEquals(String.valueOf(48L << 20), flags.get("InitialHeapSize"), "initial heap");
        assertEquals("10", flags.get("MinHeapFreeRatio"), "MinHeapFreeRatio");
        assertEquals("20", flags.get("MaxHeapFreeRatio"), "MaxHeapFreeRatio");
        assertEquals("2000", flags.get("TrimNativeHeapInterval"), "TrimNativeHeapInterval");
    }

    @Test
    void dockerignoreAdmitsOnlyBuildOutput() throws IOException {
        List<String> lines = Files.readAllLines(PROJECT.resolve(".dockerignore")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertFalse(lines.isEmpty(), ".dockerignore is empty");
        assertEquals("*", lines.get(0), ".dockerignore must start by denying everything ('*')");
        for (String line : lines.subList(1, lines.size())) {
            assertTrue(line.startsWith("!target/"), ".dockerignore may only re-admit build output under target/, got " + line);
        }
        assertTrue(lines.contains("!target/*-runner"), ".dockerignore must admit the native runner");
        assertTrue(lines.contains("!target/quarkus-app/*"), ".dockerignore must admit target/quarkus-app");
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    private static void assertHttpProbe(String dir, Container container, String kind, Probe probe, String path) {
        assertNotNull(probe, dir + ": missing " + kind + " probe");
        HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, dir + ": the " + kind + " probe must be an HTTP GET");
        assertEquals(path, get.getPath(), dir + ": " + kind + " probe path");
        assertTrue(new IntOrString(HTTP_PORT_NAME).equals(get.getPort()) || new IntOrString(HTTP_PORT).equals(get.getPort()),
                dir + ": the " + kind + " probe must use port 'http' (" + HTTP_PORT + "), got " + get.getPort());
        assertTrue(get.getScheme() == null || "HTTP".equals(get.getScheme()), dir + ": " + kind + " probe scheme");
    }

    private static Map<String, String> podLabels(Deployment deployment) {
        return Objects.requireNonNullElse(deployment.getSpec().getTemplate().getMetadata().getLabels(), Map.of());
    }

    /** The container's environment as Kubernetes builds it: envFrom ConfigMaps, then env entries on top. */
    private static Map<String, String> effectiveEnv(Rendered rendered) {
        Map<String, String> env = new LinkedHashMap<>();
        Container container = rendered.container();
        for (EnvFromSource source : Objects.requireNonNullElse(container.getEnvFrom(), List.<EnvFromSource> of())) {
            if (source.getConfigMapRef() != null) {
                String name = source.getConfigMapRef().getName();
                ConfigMap configMap = (ConfigMap) rendered.find("ConfigMap", name)
                        .orElseGet(() -> fail(rendered.dir() + ": envFrom references ConfigMap " + name + ", which is not rendered"));
                env.putAll(Objects.requireNonNullElse(configMap.getData(), Map.of()));
            }
        }
        for (EnvVar var : Objects.requireNonNullElse(container.getEnv(), List.<EnvVar> of())) {
            env.put(var.getName(), var.getValueFrom() == null ? Objects.requireNonNullElse(var.getValue(), "") : "<valueFrom>");
        }
        return env;
    }

    private static Optional<Volume> volume(PodSpec pod, String name) {
        return Objects.requireNonNullElse(pod.getVolumes(), List.<Volume> of()).stream()
                .filter(v -> name.equals(v.getName())).findFirst();
    }

    /** {@code name} or a kustomize generator's hash-suffixed {@code name-<10 chars>}. */
    private static boolean isGeneratedFrom(String actual, String name) {
        return actual.equals(name) || actual.matches(Pattern.quote(name) + "-[a-z0-9]{10}");
    }

    private static Set<String> secretKeys(Secret secret) {
        Set<String> keys = new TreeSet<>();
        if (secret.getData() != null) {
            keys.addAll(secret.getData().keySet());
        }
        if (secret.getStringData() != null) {
            keys.addAll(secret.getStringData().keySet());
        }
        return keys;
    }

    private static boolean isEmpty(LabelSelector selector) {
        return selector == null
                || ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                        && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()));
    }

    /** Kubernetes label-selector semantics (an empty selector matches everything). */
    private static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
            return false;
        }
        for (LabelSelectorRequirement requirement : Objects.requireNonNullElse(selector.getMatchExpressions(),
                List.<LabelSelectorRequirement> of())) {
            String value = labels.get(requirement.getKey());
            List<String> values = Objects.requireNonNullElse(requirement.getValues(), List.of());
            boolean ok = switch (requirement.getOperator()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
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
            if (method.getParameterCount() != 0 || !method.getName().startsWith("get")
                    || method.getDeclaringClass() == Object.class || method.getName().equals("getClass")) {
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
            String field = Character.toLowerCase(method.getName().charAt(3)) + method.getName().substring(4);
            collectUnknownFields(value, path + "." + field, unknown, depth + 1);
        }
    }

    /** A duration as Quarkus reads it: {@code 10} (seconds), {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}, or ISO-8601. */
    static Duration parseQuarkusDuration(String value) {
        String v = value.trim();
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE).matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        return Duration.parse(v.toUpperCase(Locale.ROOT).startsWith("P") ? v : "PT" + v);
    }

    /** Instructions of a Dockerfile as {keyword, arguments}, continuation lines joined, comments dropped. */
    private static List<String[]> dockerInstructions(String name) throws IOException {
        Path file = DOCKER.resolve(name);
        assertTrue(Files.isRegularFile(file), "missing " + PROJECT.relativize(file));
        List<String[]> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            String instruction = current.toString().strip();
            current.setLength(0);
            if (instruction.isEmpty()) {
                continue;
            }
            String[] parts = instruction.split("\\s+", 2);
            instructions.add(new String[] { parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "" });
        }
        return instructions;
    }

    /** Variables the Dockerfile's ENV instructions set ({@code ENV NAME="value"} or {@code ENV NAME=value}). */
    private static Map<String, String> dockerEnv(String name) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        Pattern assignment = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|(\\S*))");
        for (String[] instruction : dockerInstructions(name)) {
            if (instruction[0].equals("ENV")) {
                Matcher m = assignment.matcher(instruction[1]);
                while (m.find()) {
                    env.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
                }
            }
        }
        return env;
    }

    /** The user of the final stage (the last USER instruction), without a group. */
    private static String dockerfileUser(String name) throws IOException {
        List<String[]> instructions = dockerInstructions(name);
        String user = null;
        for (String[] instruction : instructions) {
            if (instruction[0].equals("FROM")) {
                user = null; // a new stage starts as root again
            } else if (instruction[0].equals("USER")) {
                user = instruction[1].trim().split(":", 2)[0];
            }
        }
        assertNotNull(user, name + ": the final stage needs a USER instruction (non-root)");
        return user;
    }

    private static <T> T orDefault(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
