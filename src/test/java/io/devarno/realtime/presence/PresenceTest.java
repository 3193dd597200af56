package io.devarno.realtime.presence;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.PresenceWatch;
import io.devarno.realtime.support.PrometheusText;
import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** docs/protocol.md#presence, on one pod; presence across pods is proven in ClusterIT. */
@QuarkusTest
@WithRedis
class PresenceTest extends ServiceTestBase {

    private static final long TTL_MS = 10_000; // %test.realtime.presence.ttl

    @Test
    void openingAConnectionSetsThePresenceKeyToTheLastSeenTimeWithATtl() {
        String user = uniqueUser("p-open");
        long before = System.currentTimeMillis();
        connect(user);

        awaitKeyPresent("presence:" + user);
        long lastSeen = Long.parseLong(redis().string("GET", "presence:" + user));
        long ttl = redis().number("PTTL", "presence:" + user);
        assertTrue(
                lastSeen >= before - 1000 && lastSeen <= System.currentTimeMillis() + 1000,
                "value is epoch ms: " + lastSeen);
        assertTrue(ttl > 0 && ttl <= TTL_MS, "TTL at most presence.ttl: " + ttl);
    }

    @Test
    void anAppLevelPingRefreshesTheTtl() {
        String user = uniqueUser("p-ping");
        WsClient tab = connect(user);
        awaitKeyPresent("presence:" + user);
        redis().call("PEXPIRE", "presence:" + user, "2000");

        await().pollDelay(Duration.ofMillis(1100)).atMost(Duration.ofSeconds(5)).until(() -> {
            tab.send("{\"type\":\"ping\"}");
            tab.next();
            return redis().number("PTTL", "presence:" + user) > 5000;
        });
    }

    @Test
    void pongsKeepThePresenceKeyAliveBeyondItsShortenedTtl() {
        String user = uniqueUser("p-pong");
        connect(user);
        awaitKeyPresent("presence:" + user);
        redis().call("PEXPIRE", "presence:" + user, "1500");

        // the server pings every second; the client's automatic pongs refresh the key
        await().atMost(Duration.ofSeconds(5)).until(() -> redis().number("PTTL", "presence:" + user) > 5000);
    }

    @Test
    void closingOneOfTwoTabsKeepsTheUserOnline() {
        String user = uniqueUser("p-tabs");
        WsClient tab1 = connect(user);
        connect(user);
        awaitKeyPresent("presence:" + user);
        await().until(() -> redis().number("ZCARD", "realtime:presence:conns:" + user) == 2);

        try (PresenceWatch watch = new PresenceWatch(redis(), newRedisConnection(), user)) {
            tab1.close();
            tab1.awaitClose(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> redis().number("ZCARD", "realtime:presence:conns:" + user) == 1);
            assertEquals(1L, redis().number("EXISTS", "presence:" + user), "the key right after the leave");

            // The other tab's next pong would recreate a deleted key: the watch saw everything in between.
            List<String> seen = watch.untilFence();
            assertFalse(seen.contains("key:del") || seen.contains("key:expired"), "the key was removed: " + seen);
            assertEquals(
                    List.of(),
                    seen.stream().filter(event -> event.startsWith("online:")).toList(),
                    "presence events while a tab is open: " + seen);
        }
    }

    @Test
    void closingTheLastTabDeletesThePresenceKeyAndTheUsersBookkeeping() {
        String user = uniqueUser("p-last");
        WsClient tab1 = connect(user);
        WsClient tab2 = connect(user);
        awaitKeyPresent("presence:" + user);

        tab1.close();
        tab2.close();

        awaitKeyGone("presence:" + user);
        awaitKeyGone("realtime:presence:conns:" + user);
        assertEquals(null, redis().call("ZSCORE", "realtime:presence:online", user));
        assertEquals(null, redis().call("ZSCORE", "realtime:presence:expiry", user));
    }

    @Test
    void aBurstOfClosesFromMoreTabsThanTheRedisClientQueuesLeavesNoPresenceBehind() {
        // More simultaneous leaves than quarkus.redis.max-pool-waiting (1024): a gateway restart does this.
        int tabs = 1500;
        String prefix = uniqueUser("p-burst");
        double errorsBefore = presenceErrors();
        List<WsClient> clients = connectInParallel(
                IntStream.range(0, tabs).mapToObj(i -> prefix + "-" + i).toList());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> redis().number("EXISTS", "presence:" + prefix + "-" + (tabs - 1)) == 1);

        clients.forEach(WsClient::abort);

        await().atMost(Duration.ofSeconds(8))
                .until(() -> redis().list("KEYS", "presence:" + prefix + "-*").isEmpty());
        assertEquals(List.of(), redis().list("KEYS", "realtime:presence:conns:" + prefix + "-*"));
        assertEquals(errorsBefore, presenceErrors(), "no presence write failed");
    }

    @Test
    void aPresenceWriteSlowerThanTheRedisTimeoutIsCountedAndStillApplied() throws Exception {
        String user = uniqueUser("p-slow");
        double errorsBefore = presenceErrors();
        try (var stalled = newRedisConnection()) {
            // A script that runs for 1.5 s blocks Redis for everyone (realtime.redis.timeout is 1 s).
            stalled.send(
                    "EVAL",
                    "local t = redis.call('TIME') local stop = t[1] * 1000000 + t[2] + 1500000 "
                            + "repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] >= stop return 1",
                    "0");
            connect(user);
            assertEquals(1L, stalled.read());
        }

        awaitKeyPresent("presence:" + user);
        assertTrue(presenceErrors() > errorsBefore, "the slow write is counted");
    }

    private static double presenceErrors() {
        String metrics =
                RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        return PrometheusText.sum(metrics, "realtime_presence_errors_total");
    }

    @Test
    void eachOnlineAndOfflineTransitionIsPublishedOnceAsAPresenceEvent() throws Exception {
        String user = uniqueUser("p-events");
        try (var subscriber = newRedisConnection()) {
            subscriber.call("SUBSCRIBE", "realtime:presence");
            WsClient tab1 = connect(user);
            WsClient tab2 = connect(user);
            awaitKeyPresent("presence:" + user);
            tab1.close();
            tab1.awaitClose(Duration.ofSeconds(5));
            tab2.close();
            awaitKeyGone("presence:" + user);

            java.util.List<String> events = new java.util.ArrayList<>();
            subscriber.setTimeout(3000);
            while (events.size() < 2) {
                @SuppressWarnings("unchecked")
                java.util.List<Object> message = (java.util.List<Object>) subscriber.read();
                String payload = message.get(2).toString();
                if (payload.contains("\"userId\":\"" + user + "\"")) {
                    events.add(payload);
                }
            }
            assertTrue(
                    events.get(0)
                            .matches("\\{\"type\":\"presence\",\"userId\":\"" + user
                                    + "\",\"online\":true,\"at\":\\d{13}}"),
                    events.get(0));
            assertTrue(
                    events.get(1)
                            .matches("\\{\"type\":\"presence\",\"userId\":\"" + user
                                    + "\",\"online\":false,\"at\":\\d{13}}"),
                    events.get(1));
        }
    }

    @Test
    void aUserWhoseConnectionsExpiredWithoutACloseIsSweptOfflineWithAnEvent() {
        // A pod that died: its member and the user's presence exist but nothing refreshes them.
        String user = uniqueUser("p-ghost");
        redis().call("ZADD", "realtime:presence:conns:" + user, "1", "dead-pod/conn-1");
        redis().call("SET", "presence:" + user, "1");
        redis().call("ZADD", "realtime:presence:online", "0", user);
        redis().call("ZADD", "realtime:presence:expiry", "1", user);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> redis().call("ZSCORE", "realtime:presence:online", user) == null);
        assertEquals(0L, redis().number("EXISTS", "presence:" + user, "realtime:presence:conns:" + user));
    }
}
