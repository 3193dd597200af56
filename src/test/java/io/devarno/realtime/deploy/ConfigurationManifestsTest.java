package io.devarno.realtime.deploy;

import static io.devarno.realtime.deploy.Manifests.APP;
import static io.devarno.realtime.deploy.Manifests.HTTP_PORT;
import static io.devarno.realtime.deploy.Manifests.PROJECT;
import static io.devarno.realtime.deploy.Manifests.effectiveEnv;
import static io.devarno.realtime.deploy.Manifests.isGeneratedFrom;
import static io.devarno.realtime.deploy.Manifests.render;
import static io.devarno.realtime.deploy.Manifests.secretKeys;
import static io.devarno.realtime.deploy.Manifests.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.devarno.realtime.deploy.Manifests.Rendered;
import io.devarno.realtime.support.NeedsKubectl;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;

/** The environment and image the pods get: documented variables, secrets where they belong, a pinned image. */
@NeedsKubectl
class ConfigurationManifestsTest {

    /** Where the variables the manifests set are documented, one row each: the "Environment" table. */
    private static final Path ENVIRONMENT_DOC = PROJECT.resolve("k8s/README.md");
    /** Where the settings are documented: the README's configuration table, and the details in docs/. */
    private static final Path README = PROJECT.resolve("README.md");

    private static final Path DOCS = PROJECT.resolve("docs");

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void environmentUsesOnlyDocumentedVariables(String dir) throws IOException {
        Rendered rendered = render(dir);
        for (EnvFromSource source :
                Objects.requireNonNullElse(rendered.container().getEnvFrom(), List.<EnvFromSource>of())) {
            assertNull(
                    source.getSecretRef(),
                    dir + ": envFrom a Secret cannot be checked; map its keys with env.valueFrom");
            assertNotNull(source.getConfigMapRef(), dir + ": envFrom must reference a ConfigMap");
            assertNull(source.getPrefix(), dir + ": no envFrom prefix");
        }
        Set<String> documented = documentedVariables();
        Set<String> undocumented = new TreeSet<>(effectiveEnv(rendered).keySet());
        undocumented.removeAll(documented);
        assertTrue(
                undocumented.isEmpty(),
                dir + ": environment variables " + undocumented + " are not in the Environment " + "table of "
                        + PROJECT.relativize(ENVIRONMENT_DOC) + ", which lists " + documented);
        Set<String> unread = new TreeSet<>(effectiveEnv(rendered).keySet());
        unread.removeAll(documentedSettingsAsVariables());
        assertTrue(
                unread.isEmpty(),
                dir + ": environment variables " + unread + " name no setting the README or docs/ "
                        + "document (realtime.presence.ttl is read from REALTIME_PRESENCE_TTL)");
        assertEquals(
                String.valueOf(HTTP_PORT),
                effectiveEnv(rendered).getOrDefault("QUARKUS_HTTP_PORT", String.valueOf(HTTP_PORT)),
                dir + ": QUARKUS_HTTP_PORT must match the container port");
    }

    /**
     * Without a CPU limit the JVM sees every core of the node and Quarkus would start two event loops per core;
     * the fan-out is cheapest on few loops (docs/benchmarks.md), so the count is set explicitly.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void eventLoopCountIsPinnedBecauseThereIsNoCpuLimit(String dir) {
        String loops = effectiveEnv(render(dir)).get("QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE");
        assertNotNull(loops, dir + ": QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE must be set");
        assertTrue(loops.matches("[1-9][0-9]*"), dir + ": QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE=" + loops);
    }

    /** The cluster overlay runs on a Redis Cluster, with no Sentinel setting left (docs/operations.md#redis-cluster).
     * */
    @Test
    void clusterOverlayRunsOnARedisClusterWithoutSentinelSettings() throws Exception {
        assertTrue(
                Manifests.kustomizations().toList().contains("k8s/overlays/cluster"),
                "missing overlay k8s/overlays/cluster");
        Map<String, String> env = effectiveEnv(render("k8s/overlays/cluster"));
        assertEquals("cluster", env.get("QUARKUS_REDIS_CLIENT_TYPE"));
        assertNull(env.get("QUARKUS_REDIS_MASTER_NAME"), "a Sentinel setting in the cluster overlay");
        assertNull(env.get("QUARKUS_REDIS_ROLE"), "a Sentinel setting in the cluster overlay");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void redisAddressJwtKeyAndPodIdComeFromSecretsAndDownwardApi(String dir) {
        Rendered rendered = render(dir);
        Container container = rendered.container();
        PodSpec pod = rendered.deployment().getSpec().getTemplate().getSpec();
        Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));

        EnvVar redis = env.get("QUARKUS_REDIS_HOSTS");
        assertNotNull(redis, dir + ": QUARKUS_REDIS_HOSTS must be set");
        assertTrue(
                redis.getValueFrom() != null && redis.getValueFrom().getSecretKeyRef() != null,
                dir + ": QUARKUS_REDIS_HOSTS must come from a Secret (it may hold a password)");
        String redisSecret = redis.getValueFrom().getSecretKeyRef().getName();
        assertTrue(isGeneratedFrom(redisSecret, "realtime-secrets"), dir + ": Redis Secret " + redisSecret);
        assertEquals("redis-hosts", redis.getValueFrom().getSecretKeyRef().getKey(), dir + ": Redis Secret key");
        rendered.find("Secret", redisSecret)
                .ifPresent(s -> assertTrue(
                        secretKeys((Secret) s).contains("redis-hosts"),
                        dir + ": Secret " + redisSecret + " lacks the key redis-hosts"));

        EnvVar podId = env.get("REALTIME_POD_ID");
        assertNotNull(podId, dir + ": REALTIME_POD_ID must be set");
        assertTrue(
                podId.getValueFrom() != null
                        && podId.getValueFrom().getFieldRef() != null
                        && "metadata.name"
                                .equals(podId.getValueFrom().getFieldRef().getFieldPath()),
                dir + ": REALTIME_POD_ID must come from the pod name (fieldRef metadata.name)");

        String location = effectiveEnv(rendered).get("MP_JWT_VERIFY_PUBLICKEY_LOCATION");
        assertNotNull(location, dir + ": MP_JWT_VERIFY_PUBLICKEY_LOCATION must be set (auth mode jwt)");
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        VolumeMount mount = container.getVolumeMounts().stream()
                .filter(m ->
                        path.startsWith(m.getMountPath().endsWith("/") ? m.getMountPath() : m.getMountPath() + "/"))
                .findFirst()
                .orElseGet(() -> fail(dir + ": no volume is mounted where the JWT key is read: " + path));
        Volume volume = volume(pod, mount.getName()).orElseGet(() -> fail(dir + ": no volume " + mount.getName()));
        assertNotNull(volume.getSecret(), dir + ": the JWT key must be mounted from a Secret");
        String jwtSecret = volume.getSecret().getSecretName();
        assertTrue(isGeneratedFrom(jwtSecret, "realtime-jwt"), dir + ": JWT Secret " + jwtSecret);
        String file = path.substring(mount.getMountPath().length()).replaceFirst("^/", "");
        rendered.find("Secret", jwtSecret)
                .ifPresent(s -> assertTrue(
                        secretKeys((Secret) s).contains(file),
                        dir + ": Secret " + jwtSecret + " lacks the key " + file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.devarno.realtime.deploy.Manifests#kustomizations")
    void imageIsRealtimeServiceWithPinnedTagInOverlays(String dir) {
        String image = render(dir).container().getImage();
        String withoutDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int slash = withoutDigest.lastIndexOf('/');
        int colon = withoutDigest.lastIndexOf(':');
        String repository = colon > slash ? withoutDigest.substring(0, colon) : withoutDigest;
        String tag = colon > slash ? withoutDigest.substring(colon + 1) : null;
        assertEquals(APP, repository.substring(repository.lastIndexOf('/') + 1), dir + ": image " + image);
        if (dir.startsWith("k8s/overlays/")) {
            assertTrue(
                    image.contains("@") || (tag != null && !"latest".equals(tag)),
                    dir + ": overlays must pin the image tag (not latest), got " + image);
        }
    }

    /** The first column of the "Environment" table in k8s/README.md: every variable in backquotes. */
    private static Set<String> documentedVariables() throws IOException {
        String doc = Files.readString(ENVIRONMENT_DOC);
        Matcher section =
                Pattern.compile("(?ms)^## Environment\\s*$(.*?)(?=^## |\\z)").matcher(doc);
        assertTrue(section.find(), PROJECT.relativize(ENVIRONMENT_DOC) + " has no '## Environment' section");
        Set<String> variables = new TreeSet<>();
        for (String row : section.group(1).split("\n")) {
            if (row.startsWith("| `")) {
                Matcher name = Pattern.compile("`([A-Z][A-Z0-9_]*)`").matcher(row.split("\\|")[1]);
                while (name.find()) {
                    variables.add(name.group(1));
                }
            }
        }
        assertFalse(
                variables.isEmpty(),
                "no variable found in the Environment table of " + PROJECT.relativize(ENVIRONMENT_DOC));
        return variables;
    }

    /**
     * Every setting the README and docs/ name in backquotes ({@code realtime.presence.ttl},
     * {@code -Dquarkus.vertx.event-loops-pool-size=1}), as the environment variable MicroProfile Config reads it from.
     */
    private static Set<String> documentedSettingsAsVariables() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(README));
        try (Stream<Path> files = Files.list(DOCS)) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        Pattern setting = Pattern.compile("`(?:-D)?((?:quarkus|realtime|mp)\\.[a-z0-9.-]+)[`=]");
        Set<String> variables = new TreeSet<>();
        for (Path doc : docs) {
            Matcher m = setting.matcher(Files.readString(doc));
            while (m.find()) {
                variables.add(m.group(1).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
            }
        }
        return variables;
    }
}
