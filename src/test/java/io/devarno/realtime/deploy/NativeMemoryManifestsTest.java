package io.devarno.realtime.deploy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.devarno.realtime.deploy.Manifests.Rendered;
import io.devarno.realtime.support.NeedsKubectl;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;

/**
 * A native executable has no container-aware heap sizing of its own: the Deployment passes heap, young-generation and
 * direct-memory bounds, and they must fit the pod's memory limit and still hold the HPA's connections per pod by the
 * sizing rule measured on the JVM (docs/benchmarks.md, "Sizing a pod").
 */
@NeedsKubectl
class NativeMemoryManifestsTest {

    /** What the executable needs outside its heap and direct memory: image code and heap, stacks, malloc. */
    private static final long NON_HEAP_ALLOWANCE = 256L << 20;
    /** The sizing rule of docs/benchmarks.md ("Sizing a pod"): -Xmx about 100 MB + 10 KB per connection. */
    private static final long HEAP_BASE = 100L << 20;

    private static final long HEAP_PER_CONNECTION = 10L << 10;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void theNativeExecutableGetsMemoryBoundsThatFitThePodLimit(String dir) {
        Rendered rendered = Manifests.render(dir);
        Container container = rendered.container();
        List<String> args = Optional.ofNullable(container.getArgs()).orElse(List.of());
        long heap = size(args, "-Xmx", dir);
        size(args, "-Xmn", dir);
        long direct = size(args, "-XX:MaxDirectMemorySize=", dir);
        Quantity limit = container.getResources().getLimits().get("memory");
        assertNotNull(limit, dir + ": a memory limit");
        long limitBytes = Quantity.getAmountInBytes(limit).longValue();
        assertTrue(
                heap + direct + NON_HEAP_ALLOWANCE <= limitBytes,
                dir + ": -Xmx " + heap + " + direct " + direct + " + " + NON_HEAP_ALLOWANCE
                        + " outside the heap exceed the limit " + limit);
        long target =
                connectionsTarget(rendered.all(HorizontalPodAutoscaler.class).get(0));
        assertTrue(
                heap >= HEAP_BASE + target * HEAP_PER_CONNECTION,
                dir + ": -Xmx " + heap + " is below the sizing rule for the HPA's " + target + " connections per pod");
    }

    private static long size(List<String> args, String prefix, String dir) {
        String arg = args.stream()
                .filter(a -> a.startsWith(prefix))
                .findFirst()
                .orElseGet(() -> fail(dir + ": the container's args lack " + prefix + " (got " + args + ")"));
        Matcher matcher =
                Pattern.compile("(\\d+)([kmg])", Pattern.CASE_INSENSITIVE).matcher(arg.substring(prefix.length()));
        assertTrue(matcher.matches(), dir + ": " + arg);
        long value = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> value << 10;
            case "m" -> value << 20;
            default -> value << 30;
        };
    }

    private static long connectionsTarget(HorizontalPodAutoscaler hpa) {
        for (MetricSpec metric : hpa.getSpec().getMetrics()) {
            if (metric.getPods() != null
                    && metric.getPods().getMetric().getName().equals("realtime_connections")) {
                return Quantity.getAmountInBytes(metric.getPods().getTarget().getAverageValue())
                        .longValue();
            }
        }
        return fail("the HPA has no realtime_connections target");
    }
}
