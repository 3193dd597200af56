package io.devarno.realtime.deploy;

import static io.devarno.realtime.deploy.Manifests.HTTP_PORT;
import static io.devarno.realtime.deploy.Manifests.HTTP_PORT_NAME;
import static io.devarno.realtime.deploy.Manifests.effectiveEnv;
import static io.devarno.realtime.deploy.Manifests.orDefault;
import static io.devarno.realtime.deploy.Manifests.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.devarno.realtime.deploy.Manifests.Rendered;
import io.devarno.realtime.support.NeedsKubectl;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;

/** Probes, shutdown timing and rollouts: a pod starts, drains and is replaced without dropping users. */
@NeedsKubectl
class PodLifecycleManifestsTest {

    /** The service exits at the latest this long after the drain ends (docs/operations.md#shutdown). */
    private static final long EXIT_MARGIN_SECONDS = 5;

    private static final String DEFAULT_DRAIN = "10s";

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void probesUseQuarkusHealthPathsOnNamedPort8085(String dir) {
        Rendered rendered = render(dir);
        Container container = rendered.container();

        List<ContainerPort> http = container.getPorts().stream()
                .filter(p -> HTTP_PORT_NAME.equals(p.getName()))
                .toList();
        assertEquals(1, http.size(), dir + ": the container needs one port named '" + HTTP_PORT_NAME + "'");
        assertEquals(HTTP_PORT, http.get(0).getContainerPort(), dir + ": port 'http' must be " + HTTP_PORT);
        assertTrue(http.get(0).getProtocol() == null || "TCP".equals(http.get(0).getProtocol()), dir + ": http is TCP");

        assertHttpProbe(dir, container, "liveness", container.getLivenessProbe(), "/q/health/live");
        assertHttpProbe(dir, container, "readiness", container.getReadinessProbe(), "/q/health/ready");
        assertHttpProbe(dir, container, "startup", container.getStartupProbe(), "/q/health/started");

        Probe startup = container.getStartupProbe();
        long startupBudget =
                (long) orDefault(startup.getPeriodSeconds(), 10) * orDefault(startup.getFailureThreshold(), 3);
        assertTrue(
                startupBudget >= 30,
                dir + ": the startup probe should tolerate at least 30 s, allows " + startupBudget + " s");
        assertTrue(
                orDefault(container.getReadinessProbe().getPeriodSeconds(), 10) <= 10,
                dir + ": the readiness probe period should be short (<= 10 s) so draining pods leave the Service fast");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void terminationGracePeriodExceedsPreStopPlusDrainPlusExitMargin(String dir) {
        Rendered rendered = render(dir);
        PodSpec pod = rendered.deployment().getSpec().getTemplate().getSpec();
        Container container = rendered.container();

        assertNotNull(container.getLifecycle(), dir + ": the container needs a preStop pause");
        LifecycleHandler preStop = container.getLifecycle().getPreStop();
        assertNotNull(preStop, dir + ": the container needs a preStop pause");
        assertNull(
                preStop.getExec(),
                dir + ": preStop must not exec a command: the native micro image has no shell or sleep binary");
        assertNotNull(
                preStop.getSleep(),
                dir + ": preStop must use the built-in sleep handler (lifecycle.preStop.sleep.seconds)");
        long preStopSeconds = preStop.getSleep().getSeconds();
        assertTrue(preStopSeconds > 0, dir + ": preStop sleep must be positive");

        String drainValue = effectiveEnv(rendered).getOrDefault("REALTIME_SHUTDOWN_DRAIN", DEFAULT_DRAIN);
        Duration drain = parseQuarkusDuration(drainValue);
        long grace = orDefault(pod.getTerminationGracePeriodSeconds(), 30L);
        long needed = preStopSeconds + (long) Math.ceil(drain.toMillis() / 1000.0) + EXIT_MARGIN_SECONDS;
        assertTrue(
                grace > needed,
                dir + ": terminationGracePeriodSeconds=" + grace + " must exceed preStop " + preStopSeconds
                        + " s + drain " + drainValue + " + " + EXIT_MARGIN_SECONDS + " s = " + needed + " s");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void rollingUpdateNeverReducesCapacity(String dir) {
        Deployment deployment = render(dir).deployment();
        assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType(), dir + ": strategy");
        RollingUpdateDeployment rolling = deployment.getSpec().getStrategy().getRollingUpdate();
        assertNotNull(rolling, dir + ": rollingUpdate settings");
        assertTrue(
                new IntOrString(0).equals(rolling.getMaxUnavailable())
                        || new IntOrString("0%").equals(rolling.getMaxUnavailable()),
                dir + ": maxUnavailable must be 0, got " + rolling.getMaxUnavailable());
        assertEquals(new IntOrString(1), rolling.getMaxSurge(), dir + ": maxSurge");
    }

    private static void assertHttpProbe(String dir, Container container, String kind, Probe probe, String path) {
        assertNotNull(probe, dir + ": missing " + kind + " probe");
        HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, dir + ": the " + kind + " probe must be an HTTP GET");
        assertEquals(path, get.getPath(), dir + ": " + kind + " probe path");
        assertTrue(
                new IntOrString(HTTP_PORT_NAME).equals(get.getPort())
                        || new IntOrString(HTTP_PORT).equals(get.getPort()),
                dir + ": the " + kind + " probe must use port 'http' (" + HTTP_PORT + "), got " + get.getPort());
        assertTrue(get.getScheme() == null || "HTTP".equals(get.getScheme()), dir + ": " + kind + " probe scheme");
    }

    /** A duration as Quarkus reads it: {@code 10} (seconds), {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}, or ISO-8601. */
    static Duration parseQuarkusDuration(String value) {
        String v = value.trim();
        Matcher m =
                Pattern.compile("(\\d+)(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE).matcher(v);
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
}
