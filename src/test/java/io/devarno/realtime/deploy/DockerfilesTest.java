package io.devarno.realtime.deploy;

import static io.devarno.realtime.deploy.Dockerfiles.dockerEnv;
import static io.devarno.realtime.deploy.Dockerfiles.dockerInstructions;
import static io.devarno.realtime.deploy.Dockerfiles.dockerfileUser;
import static io.devarno.realtime.deploy.Manifests.HTTP_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The images' Dockerfiles and build context, read as text (no container engine needed). */
class DockerfilesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Dockerfile.native-micro", "Dockerfile.native-multistage", "Dockerfile.jvm"})
    void dockerfileExposes8085AndRunsAsNonRootUser(String name) throws IOException {
        List<String[]> instructions = dockerInstructions(name);
        Set<String> exposed = instructions.stream()
                .filter(i -> i[0].equals("EXPOSE"))
                .flatMap(i -> Stream.of(i[1].trim().split("\\s+")))
                .map(p -> p.replaceFirst("/tcp$", ""))
                .collect(Collectors.toSet());
        assertTrue(
                exposed.contains(String.valueOf(HTTP_PORT)),
                name + ": must EXPOSE " + HTTP_PORT + ", exposes " + exposed);

        String user = dockerfileUser(name);
        assertTrue(
                user.matches("\\d+"),
                name + ": USER should be numeric (runAsNonRoot can only verify numeric users), got " + user);
        assertNotEquals("0", user, name + ": USER must not be root");

        String entrypoint = instructions.stream()
                .filter(i -> i[0].equals("ENTRYPOINT") || i[0].equals("ENV"))
                .map(i -> i[1])
                .collect(Collectors.joining("\n"));
        assertTrue(entrypoint.contains("-Dquarkus.http.host=0.0.0.0"), name + ": must listen on 0.0.0.0");
    }

    /**
     * The JVM image's settings, put together the way the base image's run-java.sh does (its defaults, then
     * JAVA_OPTS_APPEND), start this JDK with the memory settings docs/benchmarks.md measured.
     */
    @Test
    void jvmImageStartsWithTheBenchmarkedMemorySettings() throws Exception {
        Map<String, String> env = dockerEnv("Dockerfile.jvm");
        assertEquals("2", env.get("MALLOC_ARENA_MAX"), "Dockerfile.jvm: MALLOC_ARENA_MAX");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:MaxRAMPercentage=80.0");
        command.addAll(List.of(
                env.getOrDefault("GC_CONTAINER_OPTIONS", "-XX:+UseParallelGC").split("\\s+")));
        command.addAll(List.of(
                "-XX:MinHeapFreeRatio=10",
                "-XX:MaxHeapFreeRatio=20",
                "-XX:GCTimeRatio=4",
                "-XX:AdaptiveSizePolicyWeight=90",
                "-XX:+ExitOnOutOfMemoryError"));
        command.addAll(List.of(env.getOrDefault("JAVA_OPTS_APPEND", "").trim().split("\\s+")));
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the JVM did not exit");
        assertEquals(0, jvm.exitValue(), "the JVM refused the image's options " + command + ":\n" + output);

        Map<String, String> flags = new LinkedHashMap<>();
        Matcher flag =
                Pattern.compile("(?m)^\\s*\\S+\\s+(\\w+)\\s+:?=\\s+(\\S+)").matcher(output);
        while (flag.find()) {
            flags.put(flag.group(1), flag.group(2));
        }
        assertEquals("true", flags.get("UseSerialGC"), "collector");
        assertEquals("false", flags.get("UseParallelGC"), "collector");
        assertEquals(String.valueOf(12L << 20), flags.get("NewSize"), "young generation");
        assertEquals(String.valueOf(12L << 20), flags.get("MaxNewSize"), "young generation");
        assertEquals(String.valueOf(256L << 20), flags.get("InitialHeapSize"), "heap floor (connect storms)");
        assertEquals("10", flags.get("MinHeapFreeRatio"), "MinHeapFreeRatio");
        assertEquals("20", flags.get("MaxHeapFreeRatio"), "MaxHeapFreeRatio");
        assertEquals("2000", flags.get("TrimNativeHeapInterval"), "TrimNativeHeapInterval");
        assertEquals("1", flags.get("TieredStopAtLevel"), "TieredStopAtLevel (C1 only: cheap warm-up)");
    }

    /** Build output, and the inputs Dockerfile.native-multistage builds from (NativeImageTest checks it copies no more). */
    @Test
    void dockerignoreAdmitsOnlyBuildOutputAndTheNativeBuildsInputs() throws IOException {
        Set<String> buildInputs = Set.of("!pom.xml", "!mvnw", "!.mvn", "!src/main");
        List<String> lines = Files.readAllLines(Manifests.PROJECT.resolve(".dockerignore")).stream()
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        assertFalse(lines.isEmpty(), ".dockerignore is empty");
        assertEquals("*", lines.get(0), ".dockerignore must start by denying everything ('*')");
        for (String line : lines.subList(1, lines.size())) {
            assertTrue(
                    line.startsWith("!target/") || buildInputs.contains(line),
                    ".dockerignore may only re-admit build output under target/ and " + buildInputs + ", got " + line);
        }
        assertTrue(lines.contains("!target/*-runner"), ".dockerignore must admit the native runner");
        assertTrue(lines.contains("!target/quarkus-app/*"), ".dockerignore must admit target/quarkus-app");
    }
}
