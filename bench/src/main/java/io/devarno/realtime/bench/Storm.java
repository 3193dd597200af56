package io.devarno.realtime.bench;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The connect storm (issue 23): {@code --steady-users} tabs connect and stay, receiving {@code --rate} messages/s
 * through Redis; then {@code --connections} clients connect at once, hold, all close, and reconnect, {@code --waves}
 * times. Per wave: server CPU per connect (net of the steady load, measured just before the wave), upgrade latency,
 * refusals by status, time until every client is connected, and what the steady tabs saw meanwhile (delivery
 * latency, pings, closes). After the last wave, Redis is checked for presence left behind by storm clients.
 */
final class Storm {

    private final BenchOptions o;
    private final Vertx vertx;
    private final Map<String, Object> json;

    Storm(BenchOptions options, Vertx vertx, Map<String, Object> json) {
        this.o = options;
        this.vertx = vertx;
        this.json = json;
    }

    int run() throws Exception {
        List<URI> http = o.httpBases();
        BenchOptions steadyOptions = o.forUsers(o.steadyUsers, o.userPrefix + "steady-");
        Identities steadyIds = new Identities(steadyOptions);
        // The steady tabs get an event loop of their own: a storm's handshakes must not delay what they measure.
        Vertx steadyVertx =
                Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
        steadyVertx.runOnContext(v -> ThreadNice.set(o.steadyNice, "the steady tabs' event loop"));
        Fleet steady = new Fleet(steadyOptions, steadyIds, steadyVertx);
        BenchOptions stormOptions = o.forUsers(o.users, o.userPrefix + "storm-");
        StormClients storm = new StormClients(stormOptions, new Identities(stormOptions), vertx);
        json.put("steady_tabs", o.steadyUsers);
        json.put("storm_clients", o.users);
        json.put("waves", o.waves);
        System.out.printf(
                "storm: %d steady tabs, then %d clients x %d waves (spread %.1f s, max %d handshakes in flight)%n",
                o.steadyUsers, o.users, o.waves, o.spread, o.maxInflight);

        List<PublishLane> lanes = new ArrayList<>();
        AtomicBoolean publishing = new AtomicBoolean(true);
        Thread pacer = null;
        try {
            steady.connectAll();
            json.put("steady_connected", steady.connected.get());
            if (steady.connected.get() < o.steadyUsers) {
                System.out.printf(
                        "%d of %d steady tabs connected %s%n",
                        steady.connected.get(), o.steadyUsers, steady.failureReasons);
            }
            if (steady.connected.get() == 0) {
                return 2;
            }
            for (int l = 0; l < o.publishers; l++) {
                lanes.add(new PublishLane.Redis(o.redis, o.channelPrefix, l));
            }
            long[] seqs = new long[o.steadyUsers];
            steady.latencyFromNanos = System.nanoTime();
            pacer = new Thread(() -> pace(lanes, seqs, steadyIds, publishing), "bench-storm-pacer");
            pacer.setDaemon(true);
            pacer.start();
            Thread.sleep((long) (o.settle * 1000));

            // The server's CPU rate with only the steady tabs and their messages, taken out of each wave's figure.
            long quietStart = System.nanoTime();
            long cpuQuietStart = ProcSampler.sumCpuTicks(o.serverPids);
            Thread.sleep((long) (o.quiet * 1000));
            double quietTicksPerNano =
                    (ProcSampler.sumCpuTicks(o.serverPids) - cpuQuietStart) / (double) (System.nanoTime() - quietStart);
            json.put("server_cpu_quiet_pct", round(quietTicksPerNano * 1e9 / ProcSampler.CLK_TCK * 100, 1));
            System.out.printf(
                    "server CPU with the steady tabs only: %s%% of one core%n", json.get("server_cpu_quiet_pct"));
            List<Map<String, Object>> waves = new ArrayList<>();
            for (int w = 1; w <= o.waves; w++) {
                waves.add(wave(w, steady, storm, http, quietTicksPerNano));
            }
            json.put("wave_results", waves);

            publishing.set(false);
            pacer.join(5000);
            long drainEnd = System.nanoTime() + (long) (o.drain * 1e9);
            while (System.nanoTime() < drainEnd && lanes.stream().anyMatch(x -> x.acked.get() < x.sent.get())) {
                Thread.sleep(50);
            }
            Thread.sleep(500);
            steady.delivered.get(); // fence before reading per-connection fields
            long expected = 0;
            long missing = 0;
            long duplicates = 0;
            long reordered = 0;
            for (Fleet.Conn c : steady.conns) {
                if (c.ws != null && c.open) {
                    expected += seqs[c.user];
                    missing += Math.max(0, seqs[c.user] - c.unique());
                }
                duplicates += c.duplicates;
                reordered += c.reordered;
            }
            json.put("steady_expected_deliveries", expected);
            json.put("steady_missing", missing);
            json.put("steady_duplicates", duplicates);
            json.put("steady_reordered", reordered);
            json.put("steady_open_at_end", steady.openCount());
            json.put("steady_unexpected_closes", steady.unexpectedCloses.get());
            json.put(
                    "publish_errors",
                    lanes.stream().mapToLong(x -> x.errors.get()).sum());
            System.out.printf(
                    "%nsteady tabs over the whole run: %d of %d open, %d unexpected closes, expected %d deliveries, "
                            + "missing %d, duplicates %d, reordered %d%n",
                    steady.openCount(),
                    o.steadyUsers,
                    steady.unexpectedCloses.get(),
                    expected,
                    missing,
                    duplicates,
                    reordered);

            if (!o.presencePrefix.isEmpty()) {
                ghosts(storm);
            }
            return 0;
        } finally {
            publishing.set(false);
            for (PublishLane lane : lanes) {
                try {
                    lane.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            storm.closeAll(10);
            steady.closeAll(10);
            steadyVertx.close();
        }
    }

    private Map<String, Object> wave(
            int number, Fleet steady, StormClients storm, List<URI> http, double quietTicksPerNano)
            throws InterruptedException {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("wave", number);
        long cpuStart = ProcSampler.sumCpuTicks(o.serverPids);
        long start = System.nanoTime();

        LatencyHistogram steadyLatency = new LatencyHistogram();
        steady.latency = steadyLatency;
        long pings0 = steady.pings.get();
        long closes0 = steady.unexpectedCloses.get();
        System.out.printf(
                "%nwave %d: %d clients connect%s...%n",
                number, o.users, o.spread > 0 ? String.format(Locale.ROOT, " over %.1f s", o.spread) : " at once");
        StormClients.Wave result = storm.connectAll(o.spread, o.waveTimeout);
        Thread.sleep(1000); // presence writes and subscriptions of the last connects are answered
        long cpuEnd = ProcSampler.sumCpuTicks(o.serverPids);
        long end = System.nanoTime();
        long pings = steady.pings.get() - pings0;
        long steadyCloses = steady.unexpectedCloses.get() - closes0;

        r.put("connected", result.connected());
        r.put("all_connected_seconds", round(result.allConnectedNanos() / 1e9, 2));
        r.put("attempts", result.attempts());
        r.put("refused_by_status", result.refusedByStatus());
        r.put("failures_by_reason", result.failures());
        r.put("upgrade_ms", latencyMap(result.upgradeLatency()));
        r.put("time_to_connected_ms", latencyMap(result.timeToConnected()));
        if (cpuStart >= 0 && cpuEnd >= 0 && result.connected() > 0) {
            double grossMicros = ticksToMicros(cpuEnd - cpuStart);
            double netMicros = ticksToMicros((cpuEnd - cpuStart) - quietTicksPerNano * (end - start));
            r.put("server_cpu_ms_per_connect", round(netMicros / 1000 / result.connected(), 3));
            r.put("server_cpu_ms_per_connect_gross", round(grossMicros / 1000 / result.connected(), 3));
        }
        r.put("steady_delivery_ms", latencyMap(steadyLatency));
        r.put("steady_pings", pings);
        r.put("steady_unexpected_closes", steadyCloses);
        r.put("steady_open", steady.openCount());
        System.out.printf(
                "wave %d: %d of %d connected, all in %.2f s, %d attempts, refused %s, failures %s%n",
                number,
                result.connected(),
                o.users,
                result.allConnectedNanos() / 1e9,
                result.attempts(),
                result.refusedByStatus(),
                result.failures());
        System.out.printf(
                "  upgrade latency (ms): %s; time to connected (ms): %s%n",
                latencyText(result.upgradeLatency()), latencyText(result.timeToConnected()));
        if (r.containsKey("server_cpu_ms_per_connect")) {
            System.out.printf(
                    "  server CPU per connect: %s ms net of the steady load (%s ms gross)%n",
                    r.get("server_cpu_ms_per_connect"), r.get("server_cpu_ms_per_connect_gross"));
        }
        System.out.printf(
                "  steady tabs meanwhile: delivery (ms) %s; %d pings received; %d unexpected closes; %d open%n",
                latencyText(steadyLatency), pings, steadyCloses, steady.openCount());

        Thread.sleep((long) (o.hold * 1000));
        LatencyHistogram closeLatency = new LatencyHistogram();
        steady.latency = closeLatency; // the closes and the pause after them, apart from the connects
        long closeStart = System.nanoTime();
        long cpuCloseStart = ProcSampler.sumCpuTicks(o.serverPids);
        storm.closeAll(30);
        // The server has let go of every storm client once its gauge is back to the steady tabs.
        double serverConnections = Double.NaN;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (o.metrics && System.nanoTime() < deadline) {
            serverConnections = ProcSampler.metricSum(http, "realtime_connections", o.metricsHeaders);
            if (Double.isNaN(serverConnections) || serverConnections <= o.steadyUsers) {
                break;
            }
            Thread.sleep(100);
        }
        long cpuCloseEnd = ProcSampler.sumCpuTicks(o.serverPids);
        long closeNanos = System.nanoTime() - closeStart;
        r.put("closed_seconds", round(closeNanos / 1e9, 2));
        r.put("server_connections_after_close", Double.isNaN(serverConnections) ? null : (long) serverConnections);
        if (cpuCloseStart >= 0 && cpuCloseEnd >= 0 && result.connected() > 0) {
            double netMicros = ticksToMicros((cpuCloseEnd - cpuCloseStart) - quietTicksPerNano * closeNanos);
            r.put("server_cpu_ms_per_close", round(netMicros / 1000 / result.connected(), 3));
        }
        System.out.printf(
                "  all closed in %.2f s (server gauge %s), server CPU per close %s ms%n",
                closeNanos / 1e9, r.get("server_connections_after_close"), r.get("server_cpu_ms_per_close"));
        Thread.sleep((long) (o.pause * 1000));
        r.put("steady_delivery_while_closing_ms", latencyMap(closeLatency));
        System.out.printf(
                "  steady tabs while the storm's clients closed (and the pause after): delivery (ms) %s%n",
                latencyText(closeLatency));
        return r;
    }

    /** Counts presence keys of storm clients still in Redis, waiting up to 30 s for the last leaves. */
    private void ghosts(StormClients storm) throws InterruptedException {
        long ghosts = -1;
        long deadline = System.nanoTime() + 30_000_000_000L;
        try (RedisProbe redis = new RedisProbe(o.redis)) {
            do {
                ghosts = redis.countExisting(o.presencePrefix, storm.userIds());
                if (ghosts == 0) {
                    break;
                }
                Thread.sleep(500);
            } while (System.nanoTime() < deadline);
        } catch (IOException e) {
            System.out.println("ghost presence check failed: " + e.getMessage());
        }
        json.put("ghost_presence_keys", ghosts);
        System.out.printf("presence keys of storm clients left in Redis after the last wave: %d%n", ghosts);
    }

    /** Publishes to random steady users at --rate, each through lane user mod lanes (per-user order). */
    private void pace(List<PublishLane> lanes, long[] seqs, Identities ids, AtomicBoolean running) {
        ThreadNice.set(o.steadyNice, "the publisher");
        SplittableRandom random = new SplittableRandom(o.seed);
        Payloads payloads = new Payloads(o.payloadSize);
        long t0 = System.nanoTime();
        long i = 0;
        try {
            while (running.get()) {
                long due = (long) ((System.nanoTime() - t0) * o.rate / 1e9) + 1;
                while (i < due) {
                    int u = random.nextInt(seqs.length);
                    lanes.get(u % lanes.size()).publish(ids.user(u), payloads.build(++seqs[u], System.nanoTime()));
                    i++;
                }
                for (PublishLane lane : lanes) {
                    lane.flush();
                }
                long wait = t0 + (long) (i / o.rate * 1e9) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        } catch (IOException e) {
            lanes.get(0).error("write: " + e.getMessage());
        }
    }

    static Map<String, Object> latencyMap(LatencyHistogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", h.count());
        m.put("p50", round(h.percentile(50) / 1000.0, 2));
        m.put("p99", round(h.percentile(99) / 1000.0, 2));
        m.put("max", round(h.max() / 1000.0, 2));
        return m;
    }

    private static String latencyText(LatencyHistogram h) {
        return String.format(
                Locale.ROOT,
                "p50 %.2f p99 %.2f max %.2f (%d samples)",
                h.percentile(50) / 1000.0,
                h.percentile(99) / 1000.0,
                h.max() / 1000.0,
                h.count());
    }

    private static double ticksToMicros(double ticks) {
        return ticks * 1_000_000.0 / ProcSampler.CLK_TCK;
    }

    private static double round(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return -1;
        }
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
