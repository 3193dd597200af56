package io.devarno.realtime.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * Load generator for realtime-service (its own Maven project under bench/, never part of the service's artifact).
 *
 * <pre>
 * bench/loadgen unicast --instances ws://127.0.0.1:8085,ws://127.0.0.1:8086 --users 2000 --tabs 2 --rate 5000
 * </pre>
 *
 * Scenarios: {@code idle} (hold connections, server RSS per connection), {@code unicast} (paced publishes to random
 * users, per-tab sequence and latency checks), {@code broadcast}, {@code storm} (reconnect waves, see {@link Storm}). Prints a summary, then one JSON line. Exit status: 0,
 * 2 when no connection could be opened, 64 on bad usage. Run {@code --help} for every option.
 */
public final class LoadGenerator {

    private final BenchOptions o;
    private final Map<String, Object> json = new LinkedHashMap<>();

    private LoadGenerator(BenchOptions options) {
        this.o = options;
    }

    public static void main(String[] args) {
        int code;
        try {
            BenchOptions options = BenchOptions.parse(args);
            startWatchdog(options);
            code = new LoadGenerator(options).run();
        } catch (BenchOptions.UsageException e) {
            if (e.getMessage() != null) {
                System.err.println("error: " + e.getMessage());
            }
            System.err.print(BenchOptions.USAGE);
            code = 64;
        } catch (Exception e) {
            e.printStackTrace();
            code = 1;
        }
        System.out.flush();
        System.exit(code);
    }

    /** Hard bound on the whole run, whatever happens: connect phase + settle + publishing + drain + 2 minutes. */
    private static void startWatchdog(BenchOptions o) {
        double seconds = o.maxRunSeconds();
        Thread t = new Thread(
                () -> {
                    try {
                        Thread.sleep((long) (seconds * 1000));
                        System.err.printf("watchdog: run exceeded %.0f s, exiting%n", seconds);
                        Runtime.getRuntime().halt(3);
                    } catch (InterruptedException e) {
                        // ends with the JVM
                    }
                },
                "bench-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private int run() throws Exception {
        System.out.printf(
                "realtime-service load generator: %s, %d users x %d tabs = %d connections over %s%n",
                o.scenario, o.users, o.tabs, o.totalConnections(), o.instances);
        json.put("scenario", o.scenario);
        json.put("time", Instant.now().toString());
        json.put("instances", o.instances.size());
        json.put("users", o.users);
        json.put("tabs", o.tabs);
        json.put("connections_target", o.totalConnections());
        json.put("cpus", Runtime.getRuntime().availableProcessors());

        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(o.eventLoops)
                .setPreferNativeTransport(true)
                .setBlockedThreadCheckInterval(TimeUnit.MINUTES.toMillis(10)));
        System.out.printf(
                "client: %d event loops, native transport %s%n", o.eventLoops, vertx.isNativeTransportEnabled());
        if (o.scenario.equals("storm")) {
            try {
                int code = new Storm(o, vertx, json).run();
                printJson();
                return code;
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
        Identities identities = new Identities(o);
        Fleet fleet = new Fleet(o, identities, vertx);
        List<URI> http = o.httpBases();
        try {
            // baseline before any connection
            Thread.sleep(500);
            long rssBaseline = o.serverPids.isEmpty() ? -1 : ProcSampler.sumRss(o.serverPids);
            long cpuBeforeConnect = ProcSampler.sumCpuTicks(o.serverPids);

            System.out.printf(
                    "connecting %d at %.0f/s (max %d in flight)...%n",
                    o.totalConnections(), o.connectRate, o.maxInflight);
            fleet.connectAll();
            long open = fleet.connected.get();
            double connectSeconds = fleet.connectNanos / 1e9;
            long cpuAfterConnect = ProcSampler.sumCpuTicks(o.serverPids);
            json.put("connect_attempted", fleet.attempted);
            json.put("connected", open);
            json.put("connect_failures", fleet.failed.get());
            json.put("connect_failure_reasons", counts(fleet.failureReasons));
            json.put("connect_seconds", round(connectSeconds, 2));
            json.put("connect_rate_per_s", round(open / connectSeconds, 0));
            double steady = (fleet.lastOpenNanos.get() - fleet.firstOpenNanos.get()) / 1e9;
            double steadyRate = open > 1 && steady > 0 ? (open - 1) / steady : -1;
            json.put("connect_rate_first_to_last_per_s", round(steadyRate, 0));
            if (cpuBeforeConnect >= 0 && open > 0) {
                json.put(
                        "server_cpu_us_per_connect",
                        round(ticksToMicros(cpuAfterConnect - cpuBeforeConnect) / open, 1));
            }
            System.out.printf(
                    "connected %d of %d in %.1f s (%.0f conn/s; %s conn/s from first to last open), %d failed %s%n",
                    open,
                    o.totalConnections(),
                    connectSeconds,
                    open / connectSeconds,
                    steadyRate < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", steadyRate),
                    fleet.failed.get(),
                    counts(fleet.failureReasons));
            if (open == 0) {
                System.out.println("could not connect at all");
                printJson();
                return 2;
            }
            Thread.sleep((long) (o.settle * 1000));
            json.put("connections_open_after_settle", fleet.openCount());
            json.put("connections_per_instance", fleet.perInstanceOpen());
            if (o.metrics) {
                json.put(
                        "server_realtime_connections",
                        nan(ProcSampler.metricSum(http, "realtime_connections", o.metricsHeaders)));
            }
            switch (o.scenario) {
                case "idle" -> idle(fleet, rssBaseline);
                default -> publish(fleet, vertx, identities, http);
            }
            json.put("unexpected_closes", fleet.unexpectedCloses.get());
            json.put("close_codes", counts(fleet.closeReasons));
            printJson();
            return 0;
        } finally {
            fleet.closeAll(10);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------- idle

    private void idle(Fleet fleet, long rssBaseline) throws InterruptedException {
        long open = fleet.openCount();
        long rssSettled = o.serverPids.isEmpty() ? -1 : ProcSampler.sumRss(o.serverPids);
        long cpu0 = ProcSampler.sumCpuTicks(o.serverPids);
        long start = System.nanoTime();
        long end = start + (long) (o.duration * 1e9);
        long rssMax = rssSettled;
        System.out.printf("holding %d connections for %.0f s...%n", open, o.duration);
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(5000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            if (!o.serverPids.isEmpty()) {
                rssMax = Math.max(rssMax, ProcSampler.sumRss(o.serverPids));
            }
        }
        long cpu1 = ProcSampler.sumCpuTicks(o.serverPids);
        long rssEnd = o.serverPids.isEmpty() ? -1 : ProcSampler.sumRss(o.serverPids);
        long openEnd = fleet.openCount();
        json.put("connections_open_at_end", openEnd);
        json.put("hold_seconds", o.duration);
        System.out.printf(
                "open at end of hold: %d (unexpected closes %d %s)%n",
                openEnd, fleet.unexpectedCloses.get(), counts(fleet.closeReasons));
        if (rssBaseline > 0 && (rssEnd < 0 || cpu0 < 0 || cpu1 < 0)) {
            json.put("server_process_gone", true);
            System.out.println("server RSS and CPU: unavailable (a server process ended during the hold)");
        } else if (rssBaseline > 0) {
            double perConnSettled = (rssSettled - rssBaseline) / (double) open;
            double perConnEnd = (rssEnd - rssBaseline) / (double) Math.max(1, openEnd);
            json.put("server_rss_baseline_mb", round(rssBaseline / 1048576.0, 1));
            json.put("server_rss_settled_mb", round(rssSettled / 1048576.0, 1));
            json.put("server_rss_end_mb", round(rssEnd / 1048576.0, 1));
            json.put("server_rss_max_mb", round(rssMax / 1048576.0, 1));
            json.put("server_rss_per_conn_kb_settled", round(perConnSettled / 1024, 2));
            json.put("server_rss_per_conn_kb_end", round(perConnEnd / 1024, 2));
            double cpuPct = ticksToMicros(cpu1 - cpu0) / 1e6 / o.duration * 100;
            json.put("server_cpu_pct_idle", round(cpuPct, 2));
            System.out.printf(
                    "server RSS: baseline %.1f MB, settled %.1f MB, end %.1f MB, max %.1f MB%n",
                    rssBaseline / 1048576.0, rssSettled / 1048576.0, rssEnd / 1048576.0, rssMax / 1048576.0);
            System.out.printf(
                    "server RSS per connection above baseline: %.2f KB (settled), %.2f KB (end of hold)%n",
                    perConnSettled / 1024, perConnEnd / 1024);
            System.out.printf("server CPU while idle: %.2f%% of one core%n", cpuPct);
            for (long pid : o.serverPids) {
                json.put("server_open_fds_" + pid, ProcSampler.openFds(pid));
            }
        }
    }

    // ---------------------------------------------------------------- unicast / broadcast

    private void publish(Fleet fleet, Vertx vertx, Identities identities, List<URI> http) throws Exception {
        boolean broadcast = o.scenario.equals("broadcast");
        List<PublishLane> lanes = new ArrayList<>();
        Map<String, String> restHeaders = identities.restHeaders();
        for (int l = 0; l < o.publishers; l++) {
            try {
                lanes.add(
                        o.publishVia.equals("redis")
                                ? new PublishLane.Redis(o.redis, o.channelPrefix, l)
                                : new PublishLane.Rest(vertx, o.rest.get(l % o.rest.size()), restHeaders));
            } catch (IOException e) {
                throw new IOException("cannot open publishing connection to " + o.redis + ": " + e.getMessage(), e);
            }
        }
        long[] seqs = new long[o.users];
        long[] broadcastSeq = new long[1];
        Payloads payloads = new Payloads(o.payloadSize);
        long t0 = System.nanoTime() + 100_000_000L;
        long measureStart = t0 + (long) (o.warmup * 1e9);
        long measureEnd = measureStart + (long) (o.duration * 1e9);
        fleet.latencyFromNanos = measureStart;
        AtomicLong maxLag = new AtomicLong();
        List<Thread> pacers = new ArrayList<>();
        for (int l = 0; l < lanes.size(); l++) {
            int lane = l;
            PublishLane pl = lanes.get(l);
            Thread t = new Thread(
                    () -> pace(pl, lane, broadcast, seqs, broadcastSeq, payloads, identities, t0, measureEnd, maxLag),
                    "bench-pacer-" + l);
            t.setDaemon(true);
            pacers.add(t);
        }
        System.out.printf(
                "publishing via %s: %.0f msgs/s over %d lane(s), %.0f s warm-up + %.0f s measured, payload %d B%n",
                o.publishVia, o.rate, lanes.size(), o.warmup, o.duration, o.payloadSize);
        pacers.forEach(Thread::start);

        sleepUntil(measureStart);
        WindowEnd start = windowEnd(fleet, lanes, http);
        long nextReport = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < measureEnd) {
            sleepUntil(Math.min(measureEnd, nextReport));
            if (System.nanoTime() >= nextReport) {
                long d = fleet.delivered.get() - start.delivered();
                System.out.printf(
                        "  %.0f s: %d delivered (%.0f/s), latency p99 so far %.2f ms%n",
                        (System.nanoTime() - measureStart) / 1e9,
                        d,
                        d / ((System.nanoTime() - measureStart) / 1e9),
                        fleet.latency.percentile(99) / 1000.0);
                nextReport += 10_000_000_000L;
            }
        }
        WindowEnd end = windowEnd(fleet, lanes, http);
        for (Thread t : pacers) {
            t.join(5000);
        }
        // drain: until every expected delivery arrived, or --drain seconds
        long expectedTotal = expected(fleet, seqs, broadcastSeq[0], broadcast);
        long drainEnd = System.nanoTime() + (long) (o.drain * 1e9);
        while (System.nanoTime() < drainEnd
                && (fleet.delivered.get() < expectedTotal
                        || lanes.stream().anyMatch(x -> x.acked.get() < x.sent.get()))) {
            Thread.sleep(50);
        }
        Thread.sleep(200);
        fleet.delivered.get(); // fence before reading per-connection fields

        long published = lanes.stream().mapToLong(x -> x.sent.get()).sum();
        long acked = lanes.stream().mapToLong(x -> x.acked.get()).sum();
        long pubErrors = lanes.stream().mapToLong(x -> x.errors.get()).sum();
        long noReceiver = lanes.stream().mapToLong(x -> x.noReceiver.get()).sum();
        Map<String, AtomicLong> errorReasons = new LinkedHashMap<>();
        lanes.forEach(x -> x.errorReasons.forEach(
                (k, v) -> errorReasons.computeIfAbsent(k, z -> new AtomicLong()).addAndGet(v.get())));
        for (PublishLane lane : lanes) {
            lane.close();
        }

        long expected = 0;
        long unique = 0;
        long received = 0;
        long duplicates = 0;
        long reordered = 0;
        long corrupt = 0;
        long offsetErrors = 0;
        long missing = 0;
        long lostOnClosed = 0;
        for (Fleet.Conn c : fleet.conns) {
            if (c.ws == null) {
                continue;
            }
            long exp = broadcast ? broadcastSeq[0] : seqs[c.user];
            long u = c.unique();
            received += c.received;
            duplicates += c.duplicates;
            reordered += c.reordered;
            corrupt += c.corrupt;
            offsetErrors += c.offsetErrors;
            if (c.open) {
                expected += exp;
                unique += u;
                missing += Math.max(0, exp - u);
            } else {
                lostOnClosed += Math.max(0, exp - u);
            }
        }
        double window = (measureEnd - measureStart) / 1e9;
        long deliveredWindow = end.delivered() - start.delivered();
        long sentWindow = end.sent() - start.sent();
        long serverCpuTicks = end.serverCpu() - start.serverCpu();
        LatencyHistogram h = fleet.latency;

        json.put("publish_via", o.publishVia);
        json.put("offered_rate", o.rate);
        json.put("achieved_publish_rate", round(sentWindow / window, 1));
        json.put("published", published);
        json.put("publish_acked", acked);
        json.put("publish_errors", pubErrors);
        json.put("publish_error_reasons", counts(errorReasons));
        if (o.publishVia.equals("redis")) {
            json.put("publish_no_subscriber", noReceiver);
        }
        json.put("publisher_max_lag_ms", round(maxLag.get() / 1e6, 2));
        json.put("expected_deliveries", expected);
        json.put("delivered_unique", unique);
        json.put("received_frames", received);
        json.put("missing", missing);
        json.put("duplicates", duplicates);
        json.put("reordered", reordered);
        json.put("corrupt", corrupt);
        if (o.v2) {
            json.put("v2_offset_errors", offsetErrors);
        }
        json.put("lost_on_closed_connections", lostOnClosed);
        json.put("measured_seconds", o.duration);
        json.put("delivered_per_s", round(deliveredWindow / window, 1));
        json.put("latency_samples", h.count());
        json.put("latency_ms", latencyMap(h));
        if (start.serverCpu() >= 0 && end.serverCpu() >= 0) {
            double cpuMicros = ticksToMicros(serverCpuTicks);
            json.put("server_cpu_pct", round(cpuMicros / 1e6 / window * 100, 1));
            json.put(
                    "server_cpu_kernel_share",
                    serverCpuTicks == 0
                            ? null
                            : round((end.serverSys() - start.serverSys()) / (double) serverCpuTicks, 2));
            json.put("server_cpu_us_per_delivery", deliveredWindow == 0 ? null : round(cpuMicros / deliveredWindow, 2));
            json.put("server_cpu_us_per_published_msg", sentWindow == 0 ? null : round(cpuMicros / sentWindow, 2));
        }
        json.put("generator_cpu_pct", round(ticksToMicros(end.selfCpu() - start.selfCpu()) / 1e6 / window * 100, 1));
        if (!Double.isNaN(start.deliveredMetric()) && !Double.isNaN(end.deliveredMetric())) {
            json.put("server_metric_delivered_in_window", (long) (end.deliveredMetric() - start.deliveredMetric()));
        }

        System.out.println();
        System.out.printf(
                "offered %.0f msgs/s, published %d (%.1f/s in window), acked %d, errors %d %s%s%n",
                o.rate,
                published,
                sentWindow / window,
                acked,
                pubErrors,
                counts(errorReasons),
                o.publishVia.equals("redis") ? ", no subscriber " + noReceiver : "");
        System.out.printf(
                "deliveries: expected %d, unique %d, missing %d, duplicates %d, reordered %d, corrupt %d, "
                        + "lost on closed connections %d%n",
                expected, unique, missing, duplicates, reordered, corrupt, lostOnClosed);
        if (o.v2) {
            System.out.printf(
                    "protocol v2: %d envelopes without an offset above the tab's previous one%n", offsetErrors);
        }
        System.out.printf(
                "delivered/s in the %.0f s window: %.0f (server metric %s)%n",
                window, deliveredWindow / window, json.getOrDefault("server_metric_delivered_in_window", "n/a"));
        System.out.printf(
                "latency (ms, %d samples): p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f%n",
                h.count(),
                h.percentile(50) / 1000.0,
                h.percentile(99) / 1000.0,
                h.percentile(99.9) / 1000.0,
                h.max() / 1000.0,
                h.mean() / 1000.0);
        if (json.containsKey("server_cpu_us_per_delivery")) {
            System.out.printf(
                    "server CPU: %s%% of one core (kernel share %s), %s us per delivery, %s us per published message%n",
                    json.get("server_cpu_pct"),
                    json.get("server_cpu_kernel_share"),
                    json.get("server_cpu_us_per_delivery"),
                    json.get("server_cpu_us_per_published_msg"));
        }
        System.out.printf(
                "generator CPU: %s%% of one core; publisher max lag %.2f ms%n",
                json.get("generator_cpu_pct"), maxLag.get() / 1e6);
        int seconds = (int) Math.min(3600, Math.ceil(o.duration));
        StringBuilder worst = new StringBuilder();
        int over10 = 0;
        for (int s = 0; s < seconds; s++) {
            long w = fleet.worstPerSecond.get(s);
            if (w > 10_000) {
                over10++;
            }
            worst.append(s == 0 ? "" : " ").append(w / 1000);
        }
        json.put("seconds_with_max_latency_over_10ms", over10);
        System.out.printf("worst latency per second of the window (ms): %s%n", worst);
    }

    /** Paces one lane: message i is due at t0 + i / laneRate; due messages are written and flushed every ~1 ms. */
    private void pace(
            PublishLane lane,
            int index,
            boolean broadcast,
            long[] seqs,
            long[] broadcastSeq,
            Payloads payloads,
            Identities identities,
            long t0,
            long end,
            AtomicLong maxLag) {
        SplittableRandom random = new SplittableRandom(o.seed + index);
        int laneUsers = (o.users - index + o.publishers - 1) / o.publishers;
        double perLane = o.rate / o.publishers;
        long i = 0;
        try {
            sleepUntil(t0);
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                long due = (long) ((now - t0) * perLane / 1e9) + 1;
                if (due - i > 1) {
                    maxLag.accumulateAndGet(now - (t0 + (long) (i / perLane * 1e9)), Math::max);
                }
                while (i < due) {
                    if (broadcast) {
                        long seq = ++broadcastSeq[0];
                        lane.publish(null, payloads.build(seq, System.nanoTime()));
                    } else if (laneUsers > 0) {
                        int u = index + o.publishers * random.nextInt(laneUsers);
                        long seq = ++seqs[u];
                        lane.publish(identities.user(u), payloads.build(seq, System.nanoTime()));
                    }
                    i++;
                }
                lane.flush();
                long next = t0 + (long) (i / perLane * 1e9);
                long wait = Math.min(next, end) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            lane.flush();
        } catch (IOException e) {
            lane.error("write: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The counters read at each end of the measured window. */
    private record WindowEnd(
            long delivered, long sent, long serverCpu, long serverSys, long selfCpu, double deliveredMetric) {}

    private WindowEnd windowEnd(Fleet fleet, List<PublishLane> lanes, List<URI> http) {
        return new WindowEnd(
                fleet.delivered.get(),
                lanes.stream().mapToLong(x -> x.sent.get()).sum(),
                ProcSampler.sumCpuTicks(o.serverPids),
                ProcSampler.sumSysTicks(o.serverPids),
                ProcSampler.selfCpuTicks(),
                o.metrics
                        ? ProcSampler.metricSum(http, "realtime_messages_delivered_total", o.metricsHeaders)
                        : Double.NaN);
    }

    private long expected(Fleet fleet, long[] seqs, long broadcastSeq, boolean broadcast) {
        long total = 0;
        for (Fleet.Conn c : fleet.conns) {
            if (c.open) {
                total += broadcast ? broadcastSeq : seqs[c.user];
            }
        }
        return total;
    }

    // ---------------------------------------------------------------- helpers

    private static Map<String, Object> latencyMap(LatencyHistogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", round(h.percentile(50) / 1000.0, 3));
        m.put("p99", round(h.percentile(99) / 1000.0, 3));
        m.put("p99_9", round(h.percentile(99.9) / 1000.0, 3));
        m.put("max", round(h.max() / 1000.0, 3));
        m.put("mean", round(h.mean() / 1000.0, 3));
        return m;
    }

    private static double ticksToMicros(long ticks) {
        return ticks * 1_000_000.0 / ProcSampler.CLK_TCK;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait;
        while ((wait = nanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, 100_000_000L));
        }
    }

    private static Map<String, Long> counts(Map<String, AtomicLong> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private static Object nan(double v) {
        return Double.isNaN(v) ? null : (Object) (long) v;
    }

    private static double round(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return -1;
        }
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private void printJson() throws IOException {
        String line = toJson(json);
        System.out.println();
        System.out.println(line);
        if (o.jsonOut != null) {
            Files.writeString(Path.of(o.jsonOut), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    static String toJson(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            m.forEach((k, x) -> {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append(toJson(String.valueOf(k))).append(':').append(toJson(x));
            });
            return sb.append('}').toString();
        }
        if (v instanceof Iterable<?> items) {
            StringBuilder sb = new StringBuilder("[");
            for (Object item : items) {
                sb.append(sb.length() > 1 ? "," : "").append(toJson(item));
            }
            return sb.append(']').toString();
        }
        if (v instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15
                    ? Long.toString(d.longValue())
                    : String.format(Locale.ROOT, "%s", d);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        String s = v.toString();
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
