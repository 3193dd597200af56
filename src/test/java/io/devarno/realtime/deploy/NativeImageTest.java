package io.devarno.realtime.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What the native image needs and no JVM-mode test can show by running it: the builder and runtime base images pair
 * (same UBI, so the same glibc), the one-command build copies only what the build context admits, and a stale runner
 * cannot turn JVM-mode ITs native. Plain JUnit over the Dockerfile reader ({@link Dockerfiles}); the memory bounds
 * are in {@link NativeMemoryManifestsTest}.
 */
class NativeImageTest {

    private static final Path PROJECT = Manifests.PROJECT;
    private static final String MICRO = "Dockerfile.native-micro";
    private static final String MULTISTAGE = "Dockerfile.native-multistage";
    private static final Pattern UBI = Pattern.compile("quay\\.io/quarkus/(ubi\\d*)-quarkus-");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {MICRO, MULTISTAGE})
    void nativeImagesRunOnTheUbi9MicroImageWithTwoMallocArenas(String name) throws IOException {
        List<List<String[]>> stages = stages(name);
        List<String[]> last = stages.get(stages.size() - 1);
        assertEquals("quay.io/quarkus/ubi9-quarkus-micro-image:2.0", last.get(0)[1], name + ": runtime base image");
        assertTrue(
                last.stream()
                        .anyMatch(i ->
                                i[0].equals("ENV") && i[1].replace("\"", "").equals("MALLOC_ARENA_MAX=2")),
                name + ": ENV MALLOC_ARENA_MAX=2");
    }

    /** A binary built on UBI 9 (glibc 2.34) does not start on UBI 8 (glibc 2.28), and the other way round is fragile. */
    @Test
    void theBuilderAndTheRuntimeImageAreTheSameUbi() throws IOException {
        List<List<String[]>> stages = stages(MULTISTAGE);
        assertEquals(2, stages.size(), MULTISTAGE + ": a build stage and a runtime stage");
        String builder = stages.get(0).get(0)[1];
        String runtime = stages.get(1).get(0)[1];
        assertTrue(
                builder.startsWith("quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:") && builder.contains(" AS "),
                "build stage: the Quarkus Mandrel builder on UBI 9, got " + builder);
        assertEquals(ubi(builder), ubi(runtime), "builder " + builder + " and runtime " + runtime);
        assertTrue(
                stages.get(0).stream()
                        .anyMatch(i -> i[0].equals("RUN")
                                && i[1].contains("./mvnw")
                                && i[1].contains(" package")
                                && i[1].contains("-Dnative")),
                "build stage: ./mvnw package -Dnative");
    }

    /** The multi-stage image's runtime stage is Dockerfile.native-micro, apart from where the executable comes from. */
    @Test
    void theOneCommandImageIsTheMicroImage() throws IOException {
        List<List<String[]>> stages = stages(MULTISTAGE);
        assertEquals(withoutCopies(stages(MICRO).get(0)), withoutCopies(stages.get(stages.size() - 1)));
        String copy = stages.get(stages.size() - 1).stream()
                .filter(i -> i[0].equals("COPY"))
                .map(i -> i[1])
                .findFirst()
                .orElseThrow();
        assertTrue(copy.contains("--from=build") && copy.endsWith("/work/application"), copy);
    }

    /** The build stage copies sources from the context: the root .dockerignore must admit exactly those. */
    @Test
    void theBuildContextAdmitsWhatTheBuildStageCopiesAndNoTestsOrSecrets() throws IOException {
        List<String> admitted = Files.readAllLines(PROJECT.resolve(".dockerignore")).stream()
                .map(String::trim)
                .filter(l -> l.startsWith("!"))
                .map(l -> l.substring(1))
                .toList();
        for (String[] copy : stages(MULTISTAGE).get(0)) {
            if (!copy[0].equals("COPY")) {
                continue;
            }
            List<String> words = new ArrayList<>(List.of(copy[1].split("\\s+")));
            words.removeIf(w -> w.startsWith("--"));
            for (String source : words.subList(0, words.size() - 1)) {
                assertTrue(
                        admitted.contains(source),
                        ".dockerignore does not admit " + source + " (copied by the build stage)");
                assertTrue(Files.exists(PROJECT.resolve(source)), source + " does not exist");
            }
        }
        for (String line : admitted) {
            assertFalse(
                    line.startsWith("src/test")
                            || line.equals("src")
                            || line.startsWith("k8s")
                            || line.startsWith(".git")
                            || line.startsWith("bench")
                            || line.contains("*.pem"),
                    ".dockerignore admits " + line);
        }
    }

    /** The runner is used only when asked for: a stale one must not turn the JVM-mode multi-instance tests native. */
    @Test
    void theNativeRunnerPathIsSetOnlyInTheNativeProfile() throws Exception {
        org.w3c.dom.Document pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(PROJECT.resolve("pom.xml").toFile());
        var found = pom.getElementsByTagName("native.image.path");
        assertTrue(found.getLength() > 0, "native.image.path is set somewhere (the native ITs need it)");
        for (int i = 0; i < found.getLength(); i++) {
            Node profile = found.item(i);
            while (profile != null && !profile.getNodeName().equals("profile")) {
                profile = profile.getParentNode();
            }
            assertNotNull(profile, "native.image.path outside a profile: every build would use a stale runner");
            String id = ((Element) profile)
                    .getElementsByTagName("id")
                    .item(0)
                    .getTextContent()
                    .trim();
            assertEquals("native", id, "native.image.path in profile " + id);
        }
    }

    // ------------------------------------------------------------------------------------------

    /** The Dockerfile's instructions, one list per stage. */
    private static List<List<String[]>> stages(String name) throws IOException {
        List<List<String[]>> stages = new ArrayList<>();
        for (String[] instruction : Dockerfiles.dockerInstructions(name)) {
            if (instruction[0].equals("FROM")) {
                stages.add(new ArrayList<>());
            }
            assertFalse(stages.isEmpty(), name + ": an instruction before FROM");
            stages.get(stages.size() - 1).add(instruction);
        }
        assertFalse(stages.isEmpty(), name + ": no FROM");
        return stages;
    }

    private static List<String> withoutCopies(List<String[]> stage) {
        return stage.stream()
                .filter(i -> !i[0].equals("COPY"))
                .map(i -> i[0] + " " + i[1])
                .collect(Collectors.toList());
    }

    private static String ubi(String image) {
        Matcher matcher = UBI.matcher(image);
        assertTrue(matcher.find(), "not a Quarkus UBI image: " + image);
        return matcher.group(1);
    }
}
