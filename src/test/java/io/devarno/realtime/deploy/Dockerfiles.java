package io.devarno.realtime.deploy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Dockerfiles under {@code src/main/docker}, read as instructions (no container engine needed). */
final class Dockerfiles {

    static final Path DIRECTORY = Manifests.PROJECT.resolve("src/main/docker");

    private Dockerfiles() {}

    /** Instructions of a Dockerfile as {keyword, arguments}, continuation lines joined, comments dropped. */
    static List<String[]> dockerInstructions(String name) throws IOException {
        Path file = DIRECTORY.resolve(name);
        assertTrue(Files.isRegularFile(file), "missing " + Manifests.PROJECT.relativize(file));
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
            instructions.add(new String[] {parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""});
        }
        return instructions;
    }

    /** Variables the Dockerfile's ENV instructions set ({@code ENV NAME="value"} or {@code ENV NAME=value}). */
    static Map<String, String> dockerEnv(String name) throws IOException {
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
    static String dockerfileUser(String name) throws IOException {
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
}
