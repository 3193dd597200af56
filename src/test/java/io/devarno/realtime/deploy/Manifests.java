package io.devarno.realtime.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.devarno.realtime.support.NeedsKubectl;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The deployment manifests as a cluster would receive them (k8s/README.md), without a cluster: every
 * kustomization under {@code k8s/} (the base and each overlay) rendered with {@code kubectl kustomize} and parsed
 * with the fabric8 model, once per test JVM, for the {@code *ManifestsTest} classes of this package; plus the
 * label-selector and environment semantics of Kubernetes they check against.
 *
 * <p>Needs {@code kubectl} on the PATH (Debian package {@code kubectl}), or its path in the {@code KUBECTL}
 * environment variable / {@code kubectl} system property: the tests that use it are {@link NeedsKubectl}.
 */
final class Manifests {

    static final Path PROJECT = Path.of("").toAbsolutePath();
    static final Path K8S = PROJECT.resolve("k8s");

    static final String APP = "realtime-service";
    static final String NAME_LABEL = "app.kubernetes.io/name";
    static final int HTTP_PORT = 8085;
    static final String HTTP_PORT_NAME = "http";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    /** Each kustomization is rendered once per test JVM, for whichever test class asks first. */
    private static final Map<String, Rendered> RENDERED = new ConcurrentHashMap<>();

    private Manifests() {}

    /** The base and every overlay; dev and prod must exist. */
    static Stream<String> kustomizations() throws IOException {
        assertTrue(
                Files.isRegularFile(K8S.resolve("base/kustomization.yaml")),
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

    record Document(String yaml, HasMetadata object) {}

    record Rendered(String dir, List<Document> documents) {

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
            assertEquals(
                    1,
                    matches.size(),
                    dir + ": expected exactly one Deployment whose pods are labelled " + NAME_LABEL + "=" + APP);
            return matches.get(0);
        }

        Container container() {
            List<Container> containers =
                    deployment().getSpec().getTemplate().getSpec().getContainers();
            return containers.stream()
                    .filter(c -> APP.equals(c.getName()))
                    .findFirst()
                    .orElseGet(() -> {
                        assertEquals(1, containers.size(), dir + ": no container named " + APP);
                        return containers.get(0);
                    });
        }

        Optional<HasMetadata> find(String kind, String name) {
            return objects().stream()
                    .filter(o -> kind.equals(o.getKind())
                            && name.equals(o.getMetadata().getName()))
                    .findFirst();
        }
    }

    static Rendered render(String dir) {
        return RENDERED.computeIfAbsent(dir, Manifests::kustomize);
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
            Class<? extends KubernetesResource> type =
                    SERIALIZATION.getRegisteredKubernetesResource(generic.getApiVersion(), generic.getKind());
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
        return candidates.stream()
                .filter(c -> new File(c).canExecute())
                .findFirst()
                .orElseGet(
                        () -> fail(
                                "kubectl is required to render the manifests with 'kubectl kustomize' but was "
                                        + "not found on the PATH: install it (Debian package 'kubectl') or set KUBECTL=/path/to/kubectl"));
    }

    static Map<String, String> podLabels(Deployment deployment) {
        return Objects.requireNonNullElse(
                deployment.getSpec().getTemplate().getMetadata().getLabels(), Map.of());
    }

    /** The container's environment as Kubernetes builds it: envFrom ConfigMaps, then env entries on top. */
    static Map<String, String> effectiveEnv(Rendered rendered) {
        Map<String, String> env = new LinkedHashMap<>();
        Container container = rendered.container();
        for (EnvFromSource source : Objects.requireNonNullElse(container.getEnvFrom(), List.<EnvFromSource>of())) {
            if (source.getConfigMapRef() != null) {
                String name = source.getConfigMapRef().getName();
                ConfigMap configMap = (ConfigMap) rendered.find("ConfigMap", name)
                        .orElseGet(() -> fail(
                                rendered.dir() + ": envFrom references ConfigMap " + name + ", which is not rendered"));
                env.putAll(Objects.requireNonNullElse(configMap.getData(), Map.of()));
            }
        }
        for (EnvVar var : Objects.requireNonNullElse(container.getEnv(), List.<EnvVar>of())) {
            env.put(
                    var.getName(),
                    var.getValueFrom() == null ? Objects.requireNonNullElse(var.getValue(), "") : "<valueFrom>");
        }
        return env;
    }

    static Optional<Volume> volume(PodSpec pod, String name) {
        return Objects.requireNonNullElse(pod.getVolumes(), List.<Volume>of()).stream()
                .filter(v -> name.equals(v.getName()))
                .findFirst();
    }

    /** {@code name} or a kustomize generator's hash-suffixed {@code name-<10 chars>}. */
    static boolean isGeneratedFrom(String actual, String name) {
        return actual.equals(name) || actual.matches(Pattern.quote(name) + "-[a-z0-9]{10}");
    }

    static Set<String> secretKeys(Secret secret) {
        Set<String> keys = new TreeSet<>();
        if (secret.getData() != null) {
            keys.addAll(secret.getData().keySet());
        }
        if (secret.getStringData() != null) {
            keys.addAll(secret.getStringData().keySet());
        }
        return keys;
    }

    static boolean isEmpty(LabelSelector selector) {
        return selector == null
                || ((selector.getMatchLabels() == null
                                || selector.getMatchLabels().isEmpty())
                        && (selector.getMatchExpressions() == null
                                || selector.getMatchExpressions().isEmpty()));
    }

    /** Kubernetes label-selector semantics (an empty selector matches everything). */
    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null
                && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
            return false;
        }
        for (LabelSelectorRequirement requirement :
                Objects.requireNonNullElse(selector.getMatchExpressions(), List.<LabelSelectorRequirement>of())) {
            String value = labels.get(requirement.getKey());
            List<String> values = Objects.requireNonNullElse(requirement.getValues(), List.of());
            boolean ok =
                    switch (requirement.getOperator()) {
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

    static <T> T orDefault(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
