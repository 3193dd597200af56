package io.devarno.realtime.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.devarno.realtime.support.RedisCli;
import io.devarno.realtime.support.RedisClusterProcess;
import io.devarno.realtime.support.ServiceProcess;
import io.devarno.realtime.support.V2Tab;
import io.devarno.realtime.support.WsClient;

/**
 * Issue 22 (docs/operations.md#redis-cluster): two instances of the packaged service on a real Redis Cluster (Redis 7,
 * 3 masters and 3 replicas). User channels are sharded (SSUBSCRIBE/SPUBLISH on the master owning the channel's slot),
 * presence stays right with the public key {@code presence:<user>}, the online list pages across index buckets, and a
 * master failover is survived without any client reconnecting. The failover tests run last: they move masters.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterModeIT {

    private static RedisClusterProcess cluster;
    private static ServiceProcess podA;
    private static ServiceProcess podB;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        cluster = RedisClusterProcess.start();
        podA = ServiceProcess.start("cluster-a", cluster, Map.of());
        podB = ServiceProcess.start("cluster-b", cluster, Map.of());
    }

    @AfterAll
    static void stop() {
        if (podA != null) {
            podA.close();
        }
        if (podB != null) {
            podB.close();
        }
        if (cluster != null) {
            cluster.close();
        }
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

    private static String user(String name) {
        return name + "-" + Long.toHexString(System.nanoTime());
    }

    /** A connection to the master serving the key's (or shard channel's) slot. */
    private static RedisCli on(String key) {
        return cluster.cli(cluster.masterOf(key));
    }

    private static long shardSubscribers(int port, String channel) {
        try (RedisCli cli = cluster.cli(port)) {
            return (Long) cli.list("PUBSUB", "SHARDNUMSUB", channel).get(1);
        }
    }

    private static long exists(String key) {
        try (RedisCli cli = on(key)) {
            return cli.number("EXISTS", key);
        }
    }

    private static long commandCalls(int port, String command) {
        try (RedisCli cli = cluster.cli(port)) {
            Matcher calls =
                    Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(cli.string("INFO", "commandstats"));
            return calls.find() ? Long.parseLong(calls.group(1)) : 0;
        }
    }

    private static void awaitShardSubscribers(String user, long expected) {
        String channel = "realtime:user:" + user;
        await().atMost(Duration.ofSeconds(10))
                .until(() -> shardSubscribers(cluster.masterOf(channel), channel) == expected);
    }

    @Test
    @Order(1)
    void everyTabOnBothPodsGetsEachMessageOnceInOrder() {
        String user = user("both");
        WsClient a1 = tab(podA, user);
        WsClient a2 = tab(podA, user);
        WsClient b1 = tab(podB, user);
        awaitShardSubscribers(user, 2);

        assertEquals(
                202,
                podA.post("/api/v1/realtime/users/" + user + "/messages", "via-rest-on-a")
                        .statusCode());
        try (RedisCli owner = on("realtime:user:" + user)) {
            assertEquals(
                    2L,
                    owner.number("SPUBLISH", "realtime:user:" + user, "via-spublish"),
                    "both pods subscribed on the owner");
        }
        assertEquals(
                202,
                podB.post("/api/v1/realtime/users/" + user + "/messages", "via-rest-on-b")
                        .statusCode());
        for (WsClient tab : List.of(a1, a2, b1)) {
            assertEquals(
                    List.of("via-rest-on-a", "via-spublish", "via-rest-on-b"),
                    List.of(tab.next(), tab.next(), tab.next()),
                    "each message once, in order");
        }

        // Broadcasts use classic pub/sub, which reaches every pod whichever node it was published on.
        assertEquals(202, podB.post("/api/v1/realtime/broadcast", "to-all").statusCode());
        int someNode = cluster.livePorts().get(cluster.livePorts().size() - 1);
        try (RedisCli cli = cluster.cli(someNode)) {
            cli.call("PUBLISH", "realtime:broadcast", "to-all-via-redis");
        }
        for (WsClient tab : List.of(a1, a2, b1)) {
            assertEquals(
                    List.of("to-all", "to-all-via-redis"),
                    List.of(tab.next(), tab.next()),
                    "no duplicate, nothing else");
        }
    }

    @Test
    @Order(2)
    void aUsersMessagesTouchOnlyTheShardOwningItsChannel() {
        String user = user("shard");
        String channel = "realtime:user:" + user;
        WsClient a = tab(podA, user);
        WsClient b = tab(podB, user);
        awaitShardSubscribers(user, 2);
        int owner = cluster.masterOf(channel);
        List<Integer> masters = cluster.masters();
        assertEquals(3, masters.size());
        for (int master : masters) {
            if (master != owner) {
                assertEquals(
                        0L, shardSubscribers(master, channel), "no subscription to " + channel + " on another master");
            }
        }
        Map<Integer, Long> before = new HashMap<>();
        masters.forEach(master -> before.put(master, commandCalls(master, "spublish")));

        for (int i = 0; i < 5; i++) {
            assertEquals(
                    202,
                    podA.post("/api/v1/realtime/users/" + user + "/messages", "m" + i)
                            .statusCode());
        }
        for (WsClient tab : List.of(a, b)) {
            assertEquals(
                    List.of("m0", "m1", "m2", "m3", "m4"),
                    List.of(tab.next(), tab.next(), tab.next(), tab.next(), tab.next()));
        }
        for (int master : masters) {
            long published = commandCalls(master, "spublish") - before.get(master);
            assertEquals(
                    master == owner ? 5L : 0L,
                    published,
                    "SPUBLISH calls on master " + master + " (owner " + owner + ")");
        }

        a.close();
        a.awaitClose(Duration.ofSeconds(5));
        awaitShardSubscribers(user, 1);
        b.close();
        b.awaitClose(Duration.ofSeconds(5));
        awaitShardSubscribers(user, 0);
    }

    @Test
    @Order(3)
    void presenceHoldsWhileAnyTabOnAnyPodIsOpen() {
        String user = user("presence");
        String key = "presence:" + user;
        WsClient a = tab(podA, user);
        WsClient b = tab(podB, user);
        await().until(() -> {
            try (RedisCli cli = on(key)) {
                return cli.number("ZCARD", "realtime:presence:conns:{" + key + "}") == 2;
            }
        });
        try (RedisCli cli = on(key)) {
            long ttl = cli.number("PTTL", key);
            assertTrue(ttl > 0 && ttl <= 10_000, "TTL at most presence.ttl (10 s in the tests): " + ttl);
        }

        a.close();
        a.awaitClose(Duration.ofSeconds(5));
        await().until(() -> {
            try (RedisCli cli = on(key)) {
                return cli.number("ZCARD", "realtime:presence:conns:{" + key + "}") == 1;
            }
        });
        assertEquals(1L, exists(key));
        assertTrue(podB.get("/api/v1/realtime/presence/" + user).body().contains("\"online\":true"));

        b.close();
        await().until(() -> exists(key) == 0);
        assertTrue(podA.get("/api/v1/realtime/presence/" + user).body().contains("\"online\":false"));
        assertFalse(onlineUsers(podA, 1000).contains(user), "gone from the online list");
    }

    @Test
    @Order(4)
    void theOnlineListPagesAcrossBucketsListingEveryOnlineUserOnce() {
        Set<String> mine = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String user = user("page" + i);
            mine.add(user);
            tab(i % 2 == 0 ? podA : podB, user);
        }
        await().until(() -> mine.stream().allMatch(user -> exists("presence:" + user) == 1));
        await().until(() -> onlineUsers(podB, 7).containsAll(mine));

        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String body = podA.get("/api/v1/realtime/presence?limit=7" + (cursor == null ? "" : "&cursor=" + cursor))
                    .body();
            List<String> users = users(body);
            assertTrue(users.size() <= 7, body);
            listed.addAll(users);
            cursor = cursorOf(body);
            pages++;
        } while (cursor != null && pages < 100);
        assertTrue(listed.containsAll(mine), "every online user listed: " + listed);
        assertEquals(new HashSet<>(listed).size(), listed.size(), "nobody listed twice: " + listed);
        assertTrue(pages >= 5, "30 users in pages of 7");
        assertEquals(
                400,
                podA.get("/api/v1/realtime/presence?cursor=bm90LWEtY3Vyc29y").statusCode());
    }

    @Test
    @Order(5)
    void aPodKilledWithSigkillLeavesNoPresenceBeyondTheTtlExceptForUsersStillConnectedElsewhere() throws Exception {
        try (ServiceProcess doomed = ServiceProcess.start("cluster-doomed", cluster, Map.of());
                RedisCli events = cluster.cli(cluster.livePorts().get(0))) {
            events.call("SUBSCRIBE", "realtime:presence");
            String onlyOnDoomed = user("only-doomed");
            String alsoOnA = user("also-a");
            tab(doomed, onlyOnDoomed);
            tab(doomed, alsoOnA);
            tab(podA, alsoOnA);
            String alsoKey = "presence:" + alsoOnA;
            await().until(() -> exists("presence:" + onlyOnDoomed) == 1
                    && exists("realtime:presence:conns:{" + alsoKey + "}") == 1);
            await().until(() -> {
                try (RedisCli cli = on(alsoKey)) {
                    return cli.number("ZCARD", "realtime:presence:conns:{" + alsoKey + "}") == 2;
                }
            });

            doomed.kill();
            // presence.ttl is 10 s in the tests; the sweep runs every ping-interval (1 s)
            await().atMost(Duration.ofSeconds(15)).until(() -> exists("presence:" + onlyOnDoomed) == 0);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> !onlineIndexed(onlyOnDoomed)
                            && exists("realtime:presence:conns:{presence:" + onlyOnDoomed + "}") == 0);
            assertFalse(onlineUsers(podA, 1000).contains(onlyOnDoomed));
            assertEquals(1L, exists(alsoKey), "still connected on pod A");
            assertTrue(onlineIndexed(alsoOnA));
            assertTrue(podB.get("/api/v1/realtime/presence/" + alsoOnA).body().contains("\"online\":true"));

            // Both surviving pods sweep; the offline event is still published once.
            events.setTimeout(10_000);
            try (RedisCli fence = cluster.cli(cluster.livePorts().get(1))) {
                fence.call("PUBLISH", "realtime:presence", "fence");
            }
            List<String> mine = new ArrayList<>();
            for (Object message = events.read(); !((List<?>) message).get(2).equals("fence"); message = events.read()) {
                String payload = ((List<?>) message).get(2).toString();
                if (payload.contains("\"" + onlyOnDoomed + "\"")) {
                    mine.add(payload.replaceAll("\"at\":\\d+", "\"at\":0"));
                }
            }
            assertEquals(
                    List.of(
                            "{\"type\":\"presence\",\"userId\":\"" + onlyOnDoomed + "\",\"online\":true,\"at\":0}",
                            "{\"type\":\"presence\",\"userId\":\"" + onlyOnDoomed + "\",\"online\":false,\"at\":0}"),
                    mine);
        }
    }

    /** Protocol v2 on a Redis Cluster (docs/protocol.md#protocol-v2-history-and-recovery,
     * docs/operations.md#redis-cluster): a v2 tab that reconnects with since, to the other pod, gets what it missed.
     * */
    @Test
    @Order(5)
    void aTabReconnectingWithSinceGetsEveryMessageItMissedOnTheCluster() throws Exception {
        String user = user("recover");
        String channel = "realtime:user:" + user;
        try (V2Tab tab = new V2Tab(user)) {
            tab.connect(podA.socket());
            assertTrue(tab.awaitWelcome(Duration.ofSeconds(10)), tab.log());
            awaitShardSubscribers(user, 1);
            for (int i = 1; i <= 3; i++) {
                assertEquals(
                        202,
                        podB.post("/api/v1/realtime/users/" + user + "/messages", "live-" + i)
                                .statusCode());
            }
            assertTrue(tab.readUntilUserOffset(3, Duration.ofSeconds(10)), tab.log());

            tab.drop();
            for (int i = 4; i <= 5; i++) {
                assertEquals(
                        202,
                        podB.post("/api/v1/realtime/users/" + user + "/messages", "missed-" + i)
                                .statusCode());
            }
            // The Redis-native recording route: the script, with SPUBLISH, on the master owning the stream's slot.
            String script =
                    java.nio.file.Files.readString(java.nio.file.Path.of("src/main/resources/lua/history-record.lua"));
            try (RedisCli owner = on(channel)) {
                assertEquals(
                        cluster.masterOf(channel),
                        cluster.masterOf("{" + channel + "}:history"),
                        "a stream lives in its channel's slot");
                List<Object> position = owner.list(
                        "EVAL",
                        script,
                        "2",
                        "{" + channel + "}:history",
                        "{" + channel + "}:meta",
                        "missed-6",
                        "100",
                        "600000",
                        "SPUBLISH");
                assertEquals(6L, position.get(1));
            }

            tab.connect(podB.socket());
            assertTrue(tab.awaitWelcome(Duration.ofSeconds(10)), tab.log());
            assertTrue(tab.readUntilUserOffset(6, Duration.ofSeconds(10)), tab.log());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), tab.userOffsets(), tab.log());
            assertEquals(
                    List.of("live-1", "live-2", "live-3", "missed-4", "missed-5", "missed-6"),
                    tab.userData(),
                    tab.log());
            assertTrue(tab.welcomes().get(1).user().recovered(), tab.log());
            assertEquals(List.of(), tab.problems());
        }
    }

    @Test
    @Order(6)
    void aManualFailoverMovesSubscriptionsAndPresenceWithoutClientsReconnecting() {
        String user = user("manual-failover");
        String channel = "realtime:user:" + user;
        WsClient a = tab(podA, user);
        WsClient b = tab(podB, user);
        awaitShardSubscribers(user, 2);
        int oldMaster = cluster.masterOf(channel);
        Integer replica = cluster.replicaOf(oldMaster);
        assertNotNull(replica);

        try (RedisCli cli = cluster.cli(replica)) {
            assertEquals("OK", cli.string("CLUSTER", "FAILOVER"));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.masterOf(channel) == replica);
        long promoted = System.nanoTime();
        // The demoted master told the pods it no longer serves the channel; they subscribe on the new master.
        awaitShardSubscribers(user, 2);
        System.out.printf(
                "manual failover: sharded subscriptions back %d ms after the promotion was visible%n",
                (System.nanoTime() - promoted) / 1_000_000);
        assertEquals(0L, shardSubscribers(oldMaster, channel), "nothing left on the demoted master");

        assertEquals(
                202,
                podA.post("/api/v1/realtime/users/" + user + "/messages", "after-manual-failover")
                        .statusCode());
        for (WsClient tab : List.of(a, b)) {
            assertEquals("after-manual-failover", tab.next(Duration.ofSeconds(5)));
            assertFalse(tab.isClosed(), "no client reconnected");
        }
        assertEquals(1L, exists("presence:" + user));
        cluster.awaitHealthy();
    }

    @Test
    @Order(7)
    void aKilledMasterIsReplacedByItsReplicaWithoutClientsReconnecting() {
        String user = user("killed-master");
        String channel = "realtime:user:" + user;
        String key = "presence:" + user;
        WsClient a = tab(podA, user);
        WsClient b = tab(podB, user);
        awaitShardSubscribers(user, 2);
        assertEquals(1L, exists(key));
        int oldMaster = cluster.masterOf(channel);
        Integer replica = cluster.replicaOf(oldMaster);
        assertNotNull(replica);

        cluster.kill(oldMaster);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.masterOf(channel) == replica);
        long promoted = System.nanoTime();
        awaitShardSubscribers(user, 2);
        System.out.printf(
                "killed master: sharded subscriptions back %d ms after the promotion was visible%n",
                (System.nanoTime() - promoted) / 1_000_000);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> podB.post("/api/v1/realtime/users/" + user + "/messages", "after-kill")
                                .statusCode()
                        == 202);
        for (WsClient tab : List.of(a, b)) {
            assertEquals("after-kill", tab.next(Duration.ofSeconds(5)));
        }
        try (RedisCli newMaster = cluster.cli(replica)) {
            assertEquals(2L, newMaster.number("SPUBLISH", channel, "spublished-on-the-new-master"));
        }
        for (WsClient tab : List.of(a, b)) {
            assertEquals("spublished-on-the-new-master", tab.next(Duration.ofSeconds(5)));
            tab.send("{\"type\":\"ping\"}");
            assertEquals("{\"type\":\"pong\"}", tab.next());
            assertFalse(tab.isClosed(), "no client reconnected");
        }
        // Presence written while the master was gone failed; the pods re-assert it on the new master.
        await().atMost(Duration.ofSeconds(10)).until(() -> exists(key) == 1);
        assertEquals(200, podA.get("/q/health/ready").statusCode());

        cluster.restart(oldMaster);
        cluster.awaitHealthy();
    }

    private static boolean onlineIndexed(String user) {
        int bucket = Math.floorMod(user.hashCode(), 16);
        String key = "realtime:presence:online:{presence-index:" + bucket + "}";
        try (RedisCli cli = on(key)) {
            return cli.call("ZSCORE", key, user) != null;
        }
    }

    private static List<String> onlineUsers(ServiceProcess pod, int limit) {
        List<String> all = new ArrayList<>();
        String cursor = null;
        do {
            String body = pod.get(
                            "/api/v1/realtime/presence?limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor))
                    .body();
            all.addAll(users(body));
            cursor = cursorOf(body);
        } while (cursor != null);
        return all;
    }

    private static List<String> users(String body) {
        Matcher list = Pattern.compile("\"users\":\\[([^\\]]*)\\]").matcher(body);
        assertTrue(list.find(), body);
        List<String> users = new ArrayList<>();
        Matcher user = Pattern.compile("\"([^\"]+)\"").matcher(list.group(1));
        while (user.find()) {
            users.add(user.group(1));
        }
        return users;
    }

    private static String cursorOf(String body) {
        Matcher cursor = Pattern.compile("\"cursor\":\"([^\"]+)\"").matcher(body);
        return cursor.find() ? cursor.group(1) : null;
    }
}
