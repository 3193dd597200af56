package io.devarno.realtime.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Sets the calling thread's nice value on Linux (renice on its task id); other systems, or without rights: a note. */
final class ThreadNice {

    private ThreadNice() {}

    static void set(int nice, String what) {
        if (nice == 0) {
            return;
        }
        try {
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self")); // "<pid>/task/<tid>"
            String tid = self.getFileName().toString();
            Process renice = new ProcessBuilder("renice", "-n", String.valueOf(nice), "-p", tid)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(renice.getInputStream().readAllBytes()).trim();
            if (!renice.waitFor(5, TimeUnit.SECONDS) || renice.exitValue() != 0) {
                System.out.printf("could not set nice %d for %s: %s%n", nice, what, output);
            }
        } catch (Exception e) {
            System.out.printf("could not set nice %d for %s: %s%n", nice, what, e);
        }
    }
}
