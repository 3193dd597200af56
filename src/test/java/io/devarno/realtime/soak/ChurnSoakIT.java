package io.devarno.realtime.soak;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.devarno.realtime.support.RedisCli;
import io.devarno.realtime.support.RedisProcess;
import io.devarno.realtime.support.ServiceProcess;
import io.devarno.realtime.support.SeveralProcesses;
import io.devarno.realtime.support.WsClient;

/**
 * Churn soak (issue 6): thousands of connections opening and closing continuously across two packaged
 * instances, with app pings, publishes and unclean drops; afterwards nothing may be left behind. Bounded,
 * opt-in and not part of CI:
 * {@code ./mvnw verify -Dsoak=true -Dit.test=ChurnSoakIT -Dsoak.seconds=120}.
 */
@EnabledIfSystemProperty(named = "soak", matches = "true")
@SeveralProcesses
class ChurnSoakIT {

    private static final int WORKERS = 16;
    private static final int OPEN_PER_WORKER = 60;
    private static final int USERS = 800;
    private static final Pattern HEAP = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.E+]+)");

    @Test
    void afterChurnNothingIsLeftInRedisOrOnThePodsAndHeapReturnsToBaseline() throws Exception {
        long seconds = Long.getLong("soak.seconds", 120);
        try (RedisProcess redis = new RedisProcess().start();
                RedisCli cli = redis.cli();
                ServiceProcess a = ServiceProcess.start("soak-a", redis, Map.of());
                ServiceProcess b = ServiceProcess.start("soak-b", redis, Map.of())) {
            List<ServiceProcess> pods = List.of(a, b);
            churn(pods, redis, Duration.ofSeconds(5)); // warm-up: JIT, pools, first allocations
            await().atMost(Duration.ofSeconds(30)).until(() -> connections(a) == 0 && connections(b) == 0);
            long baselineA = heapAfterGc(a);
            long baselineB = heapAfterGc(b);

            Stats stats = churn(pods, redis, Duration.ofSeconds(seconds));
            System.out.printf(
                    "churn: %d opened, %d closed cleanly, %d dropped uncleanly, %d published, %d received%n",
                    stats.opened.get(),
                    stats.closed.get(),
                    stats.aborted.get(),
                    stats.published.get(),
                    stats.received.get());

            await().atMost(Duration.ofSeconds(30)).until(() -> connections(a) == 0 && connections(b) == 0);
            // Removed by the closes themselves, well before the 10 s presence TTL could expire a resurrected key.
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> keys(cli, "presence:*").isEmpty()
                            && keys(cli, "realtime:presence:conns:*").isEmpty());
            await().atMost(Duration.ofSeconds(3))
                    .until(() -> cli.number("ZCARD", "realtime:presence:online") == 0
                            && cli.number("ZCARD", "realtime:presence:expiry") == 0);
            assertEquals(List.of(), cli.list("PUBSUB", "CHANNELS", "realtime:user:*"));
            assertEquals(2L, cli.list("PUBSUB", "NUMSUB", "realtime:broadcast").get(1));

            long afterA = heapAfterGc(a);
            long afterB = heapAfterGc(b);
            System.out.printf(
                    "heap after GC: pod a %d -> %d KB, pod b %d -> %d KB%n",
                    baselineA / 1024, afterA / 1024, baselineB / 1024, afterB / 1024);
            assertTrue(afterA <= baselineA * 1.2 + 8 * 1024 * 1024, "pod a heap back to baseline");
            assertTrue(afterB <= baselineB * 1.2 + 8 * 1024 * 1024, "pod b heap back to baseline");
            assertTrue(stats.opened.get() >= 2000, "thousands of connections: " + stats.opened.get());
        }
    }

    private static final class Stats {
        final AtomicLong opened = new AtomicLong();
        final AtomicLong closed = new AtomicLong();
        final AtomicLong aborted = new AtomicLong();
        final AtomicLong published = new AtomicLong();
        final AtomicLong received = new AtomicLong();
    }

    private static Stats churn(List<ServiceProcess> pods, RedisProcess redis, Duration duration)
            throws InterruptedException {
        Stats stats = new Stats();
        long deadline = System.nanoTime() + duration.toNanos();
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS + 1);
        for (int w = 0; w < WORKERS; w++) {
            workers.submit(() -> {
                List<WsClient> open = new ArrayList<>();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < deadline) {
                    try {
                        ServiceProcess pod = pods.get(random.nextInt(pods.size()));
                        open.add(pod.connect("soak-" + random.nextInt(USERS)));
                        stats.opened.incrementAndGet();
                        if (random.nextInt(4) == 0) {
                            open.get(random.nextInt(open.size())).send("{\"type\":\"ping\"}");
                        }
                        if (open.size() > OPEN_PER_WORKER || random.nextInt(3) == 0) {
                            WsClient victim = open.remove(random.nextInt(open.size()));
                            stats.received.addAndGet(victim.drain().size());
                            if (random.nextInt(5) == 0) {
                                victim.abort();
                                stats.aborted.incrementAndGet();
                            } else {
                                victim.close();
                                stats.closed.incrementAndGet();
                            }
                        }
                    } catch (RuntimeException e) {
                        // a refused upgrade (per-user limit) is part of the churn
                    }
                }
                open.forEach(client -> {
                    stats.received.addAndGet(client.drain().size());
                    client.close();
                    stats.closed.incrementAndGet();
                });
                return null;
            });
        }
        workers.submit(() -> {
            try (RedisCli publisher = redis.cli()) {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (System.nanoTime() < deadline) {
                    publisher.call(
                            "PUBLISH",
                            "realtime:user:soak-" + random.nextInt(USERS),
                            "{\"n\":" + stats.published.incrementAndGet() + "}");
                    Thread.sleep(2);
                }
            }
            return null;
        });
        workers.shutdown();
        workers.awaitTermination(duration.toSeconds() + 60, TimeUnit.SECONDS);
        return stats;
    }

    private static long connections(ServiceProcess pod) {
        Matcher m = Pattern.compile("(?m)^realtime_connections(\\{[^}]*})? ([0-9.E+]+)")
                .matcher(pod.get("/q/metrics").body());
        return m.find() ? (long) Double.parseDouble(m.group(2)) : -1;
    }

    private static long heapAfterGc(ServiceProcess pod) throws Exception {
        Process gc = new ProcessBuilder("jcmd", Long.toString(pod.pid()), "GC.run")
                .redirectErrorStream(true)
                .start();
        gc.getInputStream().readAllBytes();
        gc.waitFor(30, TimeUnit.SECONDS);
        Matcher m = HEAP.matcher(pod.get("/q/metrics").body());
        long sum = 0;
        while (m.find()) {
            sum += (long) Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static List<Object> keys(RedisCli cli, String pattern) {
        List<Object> found = new ArrayList<>();
        String cursor = "0";
        do {
            List<Object> page = cli.list("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
            cursor = page.get(0).toString();
            found.addAll((List<?>) page.get(1));
        } while (!cursor.equals("0"));
        return found;
    }
}
