package io.devarno.realtime.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.PresenceWatch;
import io.devarno.realtime.support.RedisCli;
import io.devarno.realtime.support.RedisProcess;
import io.devarno.realtime.support.ServiceProcess;
import io.devarno.realtime.support.SeveralProcesses;
import io.devarno.realtime.support.WsClient;

/**
 * Two instances of the packaged service on one real Redis (issue 3): delivery once per tab on every pod,
 * presence across pods, subscriptions that follow connections, and a pod killed with SIGKILL.
 */
@SeveralProcesses
class ClusterIT {

    private static RedisProcess redis;
    private static ServiceProcess podA;
    private static ServiceProcess podB;
    private static RedisCli cli;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeAll
    static void startPods() {
        redis = new RedisProcess().start();
        cli = redis.cli();
        podA = ServiceProcess.start("pod-a", redis, Map.of());
        podB = ServiceProcess.start("pod-b", redis, Map.of());
    }

    @AfterAll
    static void stopPods() {
        podA.close();
        podB.close();
        cli.close();
        redis.stop();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::abort);
    }

    private WsClient tab(ServiceProcess pod, String user) {
        WsClient client = pod.connect(user);
        clients.add(client);
        return client;
    }

    private long subscribers(String channel) {
        return (Long) cli.list("PUBSUB", "NUMSUB", channel).get(1);
    }

    private static String user(String name) {
        return name + "-" + Long.toHexString(System.nanoTime());
    }

    @Test
    void aUserWithTabsOnBothPodsGetsEachMessageOncePerTab() {
        String user = user("both");
        WsClient a1 = tab(podA, user);
        WsClient a2 = tab(podA, user);
        WsClient b1 = tab(podB, user);
        await().until(() -> subscribers("realtime:user:" + user) == 2);

        assertEquals(
                202,
                podA.post("/api/v1/realtime/users/" + user + "/messages", "via-rest-on-a")
                        .statusCode());
        cli.call("PUBLISH", "realtime:user:" + user, "via-redis");
        assertEquals(
                202,
                podB.post("/api/v1/realtime/users/" + user + "/messages", "via-rest-on-b")
                        .statusCode());

        for (WsClient tab : List.of(a1, a2, b1)) {
            assertEquals(
                    List.of("via-rest-on-a", "via-redis", "via-rest-on-b"),
                    List.of(tab.next(), tab.next(), tab.next()),
                    "each message once, in order");
        }
        assertEquals(202, podA.post("/api/v1/realtime/broadcast", "end").statusCode());
        for (WsClient tab : List.of(a1, a2, b1)) {
            assertEquals("end", tab.next(), "no duplicate before the broadcast");
        }
    }

    @Test
    void subscriptionsFollowConnectionsOnEachPod() {
        String user = user("numsub");
        assertEquals(0, subscribers("realtime:user:" + user));
        WsClient a = tab(podA, user);
        await().until(() -> subscribers("realtime:user:" + user) == 1);
        WsClient b = tab(podB, user);
        await().until(() -> subscribers("realtime:user:" + user) == 2);
        a.close();
        await().until(() -> subscribers("realtime:user:" + user) == 1);
        b.close();
        await().until(() -> subscribers("realtime:user:" + user) == 0);
        assertEquals(2, subscribers("realtime:broadcast"), "every pod listens to broadcasts");
    }

    @Test
    void closingTheTabOnOnePodKeepsPresenceWhileTheTabOnTheOtherIsOpen() {
        String user = user("presence");
        WsClient a = tab(podA, user);
        WsClient b = tab(podB, user);
        await().until(() -> cli.number("ZCARD", "realtime:presence:conns:" + user) == 2);

        try (PresenceWatch watch = new PresenceWatch(cli, redis.cli(), user)) {
            a.close();
            a.awaitClose(Duration.ofSeconds(5));
            await().until(() -> cli.number("ZCARD", "realtime:presence:conns:" + user) == 1);
            assertEquals(1L, cli.number("EXISTS", "presence:" + user), "the key right after the leave");
            assertTrue(podA.get("/api/v1/realtime/presence/" + user).body().contains("\"online\":true"));

            // The tab on pod B pongs every second and would recreate a deleted key: the watch saw everything in
            // between.
            List<String> seen = watch.untilFence();
            assertFalse(seen.contains("key:del") || seen.contains("key:expired"), "the key was removed: " + seen);
            assertEquals(
                    List.of(),
                    seen.stream().filter(event -> event.startsWith("online:")).toList(),
                    "presence events while a tab is open: " + seen);
        }

        b.close();
        await().until(() -> cli.number("EXISTS", "presence:" + user) == 0);
        assertTrue(podA.get("/api/v1/realtime/presence/" + user).body().contains("\"online\":false"));
    }

    @Test
    void tabsOnBothPodsMakeOneOnlineAndOneOfflineEvent() throws Exception {
        String user = user("events");
        try (RedisCli events = redis.cli()) {
            events.call("SUBSCRIBE", "realtime:presence");
            WsClient a = tab(podA, user);
            WsClient b = tab(podB, user);
            await().until(() -> cli.number("ZCARD", "realtime:presence:conns:" + user) == 2);
            a.close();
            b.close();
            await().until(() -> cli.number("EXISTS", "presence:" + user) == 0);
            cli.call("PUBLISH", "realtime:presence", "fence");

            List<String> mine = new ArrayList<>();
            for (Object message = events.read(); !((List<?>) message).get(2).equals("fence"); message = events.read()) {
                String payload = ((List<?>) message).get(2).toString();
                if (payload.contains("\"" + user + "\"")) {
                    mine.add(payload.replaceAll("\"at\":\\d+", "\"at\":0"));
                }
            }
            assertEquals(
                    List.of(
                            "{\"type\":\"presence\",\"userId\":\"" + user + "\",\"online\":true,\"at\":0}",
                            "{\"type\":\"presence\",\"userId\":\"" + user + "\",\"online\":false,\"at\":0}"),
                    mine);
        }
    }

    @Test
    void onlineUsersAndConnectionsAreListedClusterWideAndPerPod() {
        String onA = user("on-a");
        String onB = user("on-b");
        tab(podA, onA);
        tab(podB, onB);
        await().until(() -> cli.number("EXISTS", "presence:" + onA, "presence:" + onB) == 2);

        String online = podA.get("/api/v1/realtime/presence?limit=1000").body();
        assertTrue(online.contains(onA) && online.contains(onB), online);
        String connectionsA = podA.get("/api/v1/realtime/connections").body();
        assertTrue(
                connectionsA.contains("\"pod\":\"pod-a\"") && connectionsA.contains(onA) && !connectionsA.contains(onB),
                connectionsA);
        String connectionsB = podB.get("/api/v1/realtime/connections").body();
        assertTrue(
                connectionsB.contains("\"pod\":\"pod-b\"") && connectionsB.contains(onB) && !connectionsB.contains(onA),
                connectionsB);
    }

    @Test
    void aPodKilledWithSigkillLeavesNoPresenceBeyondTheTtlExceptForUsersStillConnectedElsewhere() {
        // A third pod, so the shared pods stay up for the other tests.
        try (ServiceProcess doomed = ServiceProcess.start("pod-doomed", redis, Map.of())) {
            String onlyOnDoomed = user("only-doomed");
            String alsoOnA = user("also-a");
            tab(doomed, onlyOnDoomed);
            tab(doomed, alsoOnA);
            tab(podA, alsoOnA);
            await().until(() -> cli.number("EXISTS", "presence:" + onlyOnDoomed) == 1
                    && cli.number("ZCARD", "realtime:presence:conns:" + alsoOnA) == 2);

            doomed.kill();
            assertTrue(
                    cli.number("PTTL", "presence:" + onlyOnDoomed) <= 10_000, "TTL at most presence.ttl (10 s here)");

            // presence.ttl is 10 s in the tests; the sweep runs every ping-interval (1 s)
            await().atMost(Duration.ofSeconds(15)).until(() -> cli.number("EXISTS", "presence:" + onlyOnDoomed) == 0);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> cli.call("ZSCORE", "realtime:presence:online", onlyOnDoomed) == null);
            assertEquals(0L, cli.number("EXISTS", "realtime:presence:conns:" + onlyOnDoomed));
            assertEquals(1L, cli.number("EXISTS", "presence:" + alsoOnA), "still connected on pod A");
            assertTrue(podB.get("/api/v1/realtime/presence/" + alsoOnA).body().contains("\"online\":true"));
        }
    }
}
