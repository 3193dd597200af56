package io.devarno.realtime.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Server-side figures: RSS and CPU time from /proc/PID (same host), and counters from /q/metrics. */
final class ProcSampler {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final long CLK_TCK = clockTicks();

    private ProcSampler() {}

    /** VmRSS in bytes, or -1 when the process cannot be read. */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /** utime + stime in clock ticks, or -1. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after ") " the fields start at field 3 (state); utime is field 14, stime field 15
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** stime (kernel) ticks summed over the pids, or -1. */
    static long sumSysTicks(List<Long> pids) {
        if (pids.isEmpty()) {
            return -1;
        }
        long total = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                total +=
                        Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[12]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return total;
    }

    static long selfCpuTicks() {
        return cpuTicks(ProcessHandle.current().pid());
    }

    static long sumRss(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            long rss = rssBytes(pid);
            if (rss < 0) {
                return -1;
            }
            total += rss;
        }
        return total;
    }

    static long sumCpuTicks(List<Long> pids) {
        if (pids.isEmpty()) {
            return -1;
        }
        long total = 0;
        for (long pid : pids) {
            long t = cpuTicks(pid);
            if (t < 0) {
                return -1;
            }
            total += t;
        }
        return total;
    }

    static long openFds(long pid) {
        try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Sum of every sample of {@code metric} (all label sets) over the instances' /q/metrics; NaN when unreachable. */
    static double metricSum(List<URI> httpBases, String metric, List<String> headers) {
        double total = 0;
        for (URI base : httpBases) {
            try {
                HttpRequest.Builder req =
                        HttpRequest.newBuilder(base.resolve("/q/metrics")).timeout(Duration.ofSeconds(5));
                for (String h : headers) {
                    int colon = h.indexOf(':');
                    req.header(
                            h.substring(0, colon).trim(), h.substring(colon + 1).trim());
                }
                HttpResponse<String> resp = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() != 200) {
                    return Double.NaN;
                }
                total += PrometheusText.sum(resp.body(), metric);
            } catch (IOException | RuntimeException e) {
                return Double.NaN;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Double.NaN;
            }
        }
        return total;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100;
        }
    }
}
