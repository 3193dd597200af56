package io.devarno.realtime.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
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

/** docs/operations.md#shutdown on the packaged service: SIGTERM with clients connected to it and to a second pod. */
@SeveralProcesses
class ShutdownIT {

    private static final Duration DRAIN = Duration.ofSeconds(2); // %test.realtime.shutdown.drain

    private RedisProcess redis;
    private RedisCli cli;
    private ServiceProcess leaving;
    private ServiceProcess staying;

    @BeforeEach
    void start() {
        redis = new RedisProcess().start();
        cli = redis.cli();
        leaving = ServiceProcess.start("leaving", redis, Map.of());
        staying = ServiceProcess.start("staying", redis, Map.of());
    }

    @AfterEach
    void stop() {
        leaving.close();
        staying.close();
        cli.close();
        redis.stop();
    }

    @Test
    void sigtermDrainsEveryConnectionWith1001SpreadOverTheDrainAndCleansRedis() {
        List<WsClient> clients = new ArrayList<>();
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String user = "drain-" + i;
            users.add(user);
            clients.add(leaving.connect(user));
        }
        WsClient elsewhere = staying.connect("drain-0"); // drain-0 also has a tab on the other pod
        await().until(() -> cli.number("ZCARD", "realtime:presence:conns:drain-0") == 2
                && users.stream().allMatch(u -> cli.number("EXISTS", "presence:" + u) == 1));

        long start = System.nanoTime();
        leaving.terminate();

        await().atMost(Duration.ofSeconds(1))
                .until(() -> leaving.get("/q/health/ready").statusCode() == 503);
        int status = leaving.waitFor(DRAIN.plusSeconds(5));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(status == 0 || status == 143, "exit status " + status + "\n" + leaving.log());
        assertTrue(elapsedMs <= DRAIN.toMillis() + 5000, "exited in " + elapsedMs + " ms");

        List<Long> closedAt = new ArrayList<>();
        for (WsClient client : clients) {
            WsClient.Close close = client.awaitClose(Duration.ofSeconds(1));
            assertEquals(1001, close.code());
            assertEquals("server shutting down", close.reason());
        }
        assertTrue(leaving.log().contains("Draining 20 connections over PT2S"), leaving.log());

        for (String user : users.subList(1, users.size())) {
            assertEquals(0L, cli.number("EXISTS", "presence:" + user, "realtime:presence:conns:" + user), user);
            assertEquals(
                    0L, cli.list("PUBSUB", "NUMSUB", "realtime:user:" + user).get(1), user);
        }
        assertEquals(1L, cli.number("EXISTS", "presence:drain-0"), "still connected on the other pod");
        assertEquals(1L, cli.number("ZCARD", "realtime:presence:conns:drain-0"));
        assertEquals(1L, cli.list("PUBSUB", "NUMSUB", "realtime:user:drain-0").get(1));
        assertEquals(1L, cli.list("PUBSUB", "NUMSUB", "realtime:broadcast").get(1), "only the staying pod listens");
        assertTrue(!elsewhere.isClosed());
    }

    @Test
    void closesAreSpreadOverTheDrainTimeNotSentAllAtOnce() {
        List<WsClient> clients = new ArrayList<>();
        List<Long> closedAtMs = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 10; i++) {
            clients.add(leaving.connect("spread-" + i));
        }
        await().until(() -> staying.get("/q/health/ready").statusCode() == 200
                && leaving.get("/api/v1/realtime/connections").body().contains("\"connections\":10"));
        long start = System.nanoTime();
        leaving.terminate();
        for (WsClient client : clients) {
            client.awaitClose(Duration.ofSeconds(8));
            closedAtMs.add((System.nanoTime() - start) / 1_000_000);
        }
        long first = closedAtMs.stream().min(Long::compare).orElseThrow();
        long last = closedAtMs.stream().max(Long::compare).orElseThrow();
        assertTrue(
                last - first >= DRAIN.toMillis() / 2,
                "closes spread over the drain: first " + first + " ms, last " + last + " ms");
    }

    @Test
    void newUpgradesGet503WhileDraining() {
        for (int i = 0; i < 20; i++) {
            leaving.connect("busy-" + i);
        }
        leaving.terminate();
        await().atMost(Duration.ofSeconds(1))
                .until(() -> leaving.get("/q/health/ready").statusCode() == 503);
        WsClient.Rejection rejection = WsClient.reject(leaving.socket(), Map.of("X-User-ID", "late"));
        assertEquals(503, rejection.status());
        assertTrue(rejection.body().contains("\"error\":\"draining\""), rejection.body());
    }
}
