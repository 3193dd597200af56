package io.devarno.realtime.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.RedisCli;
import io.devarno.realtime.support.RedisProcess;
import io.devarno.realtime.support.ServiceProcess;
import io.devarno.realtime.support.SeveralProcesses;
import io.devarno.realtime.support.WsClient;

/** docs/operations.md#redis-faults on two packaged pods: Redis killed and restarted under clients. */
@SeveralProcesses
class RedisOutageIT {

    private RedisProcess redis;
    private ServiceProcess podA;
    private ServiceProcess podB;

    @BeforeEach
    void start() {
        redis = new RedisProcess().start();
        podA = ServiceProcess.start("outage-a", redis, Map.of());
        podB = ServiceProcess.start("outage-b", redis, Map.of());
    }

    @AfterEach
    void stop() {
        podA.close();
        podB.close();
        redis.stop();
    }

    private static long numsub(RedisCli cli, String channel) {
        return (Long) cli.list("PUBSUB", "NUMSUB", channel).get(1);
    }

    @Test
    void anOutageDegradesTheServiceWithoutDroppingClientsAndARestartRestoresEverything() {
        WsClient a1 = podA.connect("out-1");
        WsClient b1 = podB.connect("out-1");
        WsClient a2 = podA.connect("out-2");
        try (RedisCli cli = redis.cli()) {
            await().until(() -> cli.number("ZCARD", "realtime:presence:conns:out-1") == 2
                    && numsub(cli, "realtime:user:out-1") == 2);
        }

        redis.stop();

        // readiness DOWN with the reason; liveness unaffected
        await().atMost(Duration.ofSeconds(3))
                .until(() -> podA.get("/q/health/ready").statusCode() == 503);
        assertTrue(
                podA.get("/q/health/ready").body().contains("\"reason\""),
                podA.get("/q/health/ready").body());
        assertEquals(200, podA.get("/q/health/live").statusCode());

        // a REST publish fails at once with 503 and delivers nothing
        long started = System.nanoTime();
        HttpResponse<String> publish = podA.post("/api/v1/realtime/users/out-1/messages", "lost?");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(503, publish.statusCode());
        assertTrue(publish.body().contains("\"error\":\"redis_unavailable\""), publish.body());
        assertTrue(tookMs < 1500, "answered in " + tookMs + " ms");

        // open connections stay open past the pong timeout (3 s): heartbeats and app pings go on
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);
        for (WsClient tab : List.of(a1, b1, a2)) {
            assertTrue(!tab.isClosed());
            tab.send("{\"type\":\"ping\"}");
            assertEquals("{\"type\":\"pong\"}", tab.next());
        }

        // an upgrade that still arrives is accepted (degraded) and counted
        WsClient late = podA.connect("out-late");
        late.send("{\"type\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", late.next());
        assertTrue(podA.get("/q/metrics").body().matches("(?s).*realtime_presence_errors_total(\\{[^}]*})? [1-9].*"));

        // Redis comes back empty, on the same address
        redis = new RedisProcess(redis.port()).start();
        try (RedisCli cli = redis.cli()) {
            // within one ping-interval (1 s here) plus the reconnect interval, without any client reconnecting
            await().atMost(Duration.ofSeconds(4))
                    .until(() -> cli.number("EXISTS", "presence:out-1", "presence:out-2", "presence:out-late") == 3);
            await().atMost(Duration.ofSeconds(4))
                    .until(() -> cli.number("ZCARD", "realtime:presence:conns:out-1") == 2);
            await().atMost(Duration.ofSeconds(4))
                    .until(() -> numsub(cli, "realtime:user:out-1") == 2
                            && numsub(cli, "realtime:user:out-2") == 1
                            && numsub(cli, "realtime:user:out-late") == 1
                            && numsub(cli, "realtime:broadcast") == 2);
            await().atMost(Duration.ofSeconds(3))
                    .until(() -> podA.get("/q/health/ready").statusCode() == 200);

            assertEquals(
                    202,
                    podB.post("/api/v1/realtime/users/out-1/messages", "back").statusCode());
            assertEquals("back", a1.next());
            assertEquals("back", b1.next());
            cli.call("PUBLISH", "realtime:user:out-late", "late-back");
            assertEquals("late-back", late.next());
        }
        for (WsClient tab : List.of(a1, b1, a2, late)) {
            tab.abort();
        }
    }
}
