package io.devarno.realtime.ws;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.PrometheusText;
import io.devarno.realtime.support.RedisCli;
import io.devarno.realtime.support.RedisTestResource;
import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * Admission control (docs/operations.md#reconnect-storms): while Redis holds its answers back, the connections just
 * opened pile up waiting for their presence write; past {@code realtime.admission.max-in-flight} of them, upgrades
 * are refused with 503, Retry-After, a JSON body and Connection: close, and leave nothing behind. Open tabs keep
 * their heartbeat, and everything recovers once Redis answers.
 */
@QuarkusTest
@TestProfile(ConnectStormAdmissionTest.ThreeInFlight.class)
@QuarkusTestResource(RedisTestResource.class)
class ConnectStormAdmissionTest extends ServiceTestBase {

    private static final int PAUSE_MILLIS = 6000;

    /** Three in flight; a presence write counts for up to 30 s, longer than Redis is paused here. */
    public static class ThreeInFlight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "realtime.admission.max-in-flight",
                    "3",
                    "realtime.admission.retry-after",
                    "2s",
                    "realtime.redis.timeout",
                    "30s");
        }
    }

    @Test
    void pastTheBoundUpgradesGet503WithRetryAfterAndLeaveNothingBehindThenEverythingRecovers() throws Exception {
        String steadyUser = uniqueUser("steady");
        WsClient steady = connect(steadyUser);
        awaitKeyPresent("presence:" + steadyUser);
        awaitSubscribed(steadyUser);
        await().atMost(Duration.ofSeconds(20)).until(() -> metric("realtime_upgrades_in_flight") == 0);
        double opened = metric("realtime_connections_opened_total");
        double connections = metric("realtime_connections");
        double refusedBefore = overloadedRefusals();
        List<String> waiting = List.of(uniqueUser("waiting-a"), uniqueUser("waiting-b"), uniqueUser("waiting-c"));
        String refusedUser = uniqueUser("refused");

        long pausedUntil;
        try (RedisCli pauser = new RedisCli("127.0.0.1", Integer.getInteger("test.redis.port"))) {
            pauser.call("CLIENT", "PAUSE", Integer.toString(PAUSE_MILLIS), "ALL");
            pausedUntil = System.nanoTime() + PAUSE_MILLIS * 1_000_000L;
        }
        List<WsClient> admitted = new ArrayList<>();
        for (String user : waiting) {
            admitted.add(connect(user)); // the upgrade completes; its presence write waits for Redis
        }
        assertEquals(3.0, metric("realtime_upgrades_in_flight"));

        WsClient.Handshake refused = WsClient.rawHandshake(socketUri(), Map.of("X-User-ID", refusedUser));
        assertEquals(503, refused.status());
        long retryAfter = Long.parseLong(refused.headers().get("retry-after"));
        assertTrue(retryAfter >= 2 && retryAfter <= 4, "Retry-After " + retryAfter);
        assertTrue(
                refused.headers().get("content-type").startsWith("application/json"),
                refused.headers().toString());
        assertEquals("close", refused.headers().get("connection"));
        WsClient.Rejection body = WsClient.reject(socketUri(), Map.of("X-User-ID", refusedUser));
        assertEquals(503, body.status());
        assertTrue(body.body().startsWith("{\"error\":\"overloaded\",\"message\":\""), body.body());

        // The open tabs are not starved: the steady one answers pings past a whole pong-timeout (3 s) of the pause.
        await().during(Duration.ofMillis(3500)).atMost(Duration.ofSeconds(4)).until(() -> !steady.isClosed());
        admitted.forEach(tab -> assertFalse(tab.isClosed()));

        long untilRedisAnswers = pausedUntil - System.nanoTime();
        if (untilRedisAnswers > 0) {
            Thread.sleep(untilRedisAnswers / 1_000_000 + 200);
        }
        for (String user : waiting) {
            awaitKeyPresent("presence:" + user);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> metric("realtime_upgrades_in_flight") == 0);
        // Nothing of the refused client: no presence, no subscription, not counted as a connection.
        assertEquals(0, redis().number("EXISTS", "presence:" + refusedUser));
        assertEquals(
                0L,
                redis().list("PUBSUB", "NUMSUB", "realtime:user:" + refusedUser).get(1));
        assertEquals(opened + 3, metric("realtime_connections_opened_total"));
        assertEquals(connections + 3, metric("realtime_connections"));
        assertEquals(refusedBefore + 2, overloadedRefusals());

        // Recovered: the refused client gets in on its retry, and the steady tab gets its messages.
        WsClient retried = connect(refusedUser);
        awaitKeyPresent("presence:" + refusedUser);
        awaitSubscribed(refusedUser);
        redis().call("PUBLISH", "realtime:user:" + steadyUser, "after the storm");
        assertEquals("after the storm", steady.next(Duration.ofSeconds(5)));
        assertFalse(retried.isClosed());
    }

    private static double metric(String name) {
        return PrometheusText.sum(
                RestAssured.get("/q/metrics").then().statusCode(200).extract().asString(), name);
    }

    private static double overloadedRefusals() {
        String metrics =
                RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(line ->
                        line.startsWith("realtime_upgrades_rejected_total{") && line.contains("reason=\"overloaded\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
