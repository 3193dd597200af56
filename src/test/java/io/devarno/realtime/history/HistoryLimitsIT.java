package io.devarno.realtime.history;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.RedisCli;
import io.devarno.realtime.support.RedisProcess;
import io.devarno.realtime.support.ServiceProcess;
import io.devarno.realtime.support.V2;
import io.devarno.realtime.support.V2.Welcome;
import io.devarno.realtime.support.WsClient;

/**
 * Protocol v2 (docs/protocol.md#protocol-v2-history-and-recovery) at its limits, on the packaged service: history that
 * expires (ttl), history turned off (size 0), and a Redis outage (recording answers 503, nothing half-recorded, a new
 * epoch after Redis comes back empty).
 */
class HistoryLimitsIT {

    private RedisProcess redis;
    private ServiceProcess pod;

    @AfterEach
    void stop() {
        if (pod != null) {
            pod.close();
        }
        redis.stop();
    }

    private void start(Map<String, String> settings) {
        redis = new RedisProcess().start();
        pod = ServiceProcess.start("limits", redis, settings);
    }

    private static String user(String name) {
        return name + "-" + Long.toHexString(System.nanoTime());
    }

    private String[] publish(String user, String payload) {
        HttpResponse<String> answer = pod.post("/api/v1/realtime/users/" + user + "/messages", payload);
        assertEquals(202, answer.statusCode(), answer.body());
        var json = V2.parse(answer.body());
        return new String[] {json.get("epoch").asText(), json.get("offset").asText()};
    }

    private WsClient v2(String user, String query) {
        return WsClient.connect(URI.create(pod.socket() + query), Map.of("X-User-ID", user), V2.OFFER, true);
    }

    @Test
    void afterTheTtlTheHistoryIsGoneAndANewEpochBegins() throws InterruptedException {
        start(Map.of("realtime.history.ttl", "1500ms"));
        String user = user("ttl");
        String[] first = publish(user, "m1");
        publish(user, "m2");
        try (RedisCli cli = redis.cli()) {
            long ttl = cli.number("PTTL", "{realtime:user:" + user + "}:history");
            assertTrue(ttl > 0 && ttl <= 1500, "the ttl runs from the latest message: " + ttl);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> cli.number("EXISTS", "{realtime:user:" + user + "}:meta") == 0);
            assertEquals(0, cli.number("EXISTS", "{realtime:user:" + user + "}:history"));
        }
        WsClient tab = v2(user, "?since=" + first[0] + ":1");
        Welcome welcome = Welcome.of(tab.next());
        assertNotEquals(first[0], welcome.user().epoch(), "history lost: another epoch");
        assertEquals(new V2.StreamState(welcome.user().epoch(), 0, false), welcome.user());
        String[] renewed = publish(user, "m3");
        assertEquals(welcome.user().epoch(), renewed[0], "the position handed out stays valid");
        assertEquals("1", renewed[1]);
        assertEquals(V2.message("user", renewed[0], 1, "m3"), tab.next());
        tab.abort();
    }

    @Test
    void withHistoryOffPositionsStillTellWhatWasMissedButNothingIsKept() {
        start(Map.of("realtime.history.size", "0", "realtime.history.broadcast-size", "0"));
        String user = user("off");
        String[] first = publish(user, "m1");
        publish(user, "m2");
        publish(user, "m3");
        assertEquals("1", first[1]);
        try (RedisCli cli = redis.cli()) {
            assertEquals(0, cli.number("EXISTS", "{realtime:user:" + user + "}:history"), "no message kept");
            assertEquals("3", cli.string("HGET", "{realtime:user:" + user + "}:meta", "top"));
        }
        WsClient missed = v2(user, "?since=" + first[0] + ":1");
        assertEquals(
                new V2.StreamState(first[0], 3, false),
                Welcome.of(missed.next()).user(),
                "missed 2 and 3: not recovered");
        missed.send("{\"type\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", missed.next(), "nothing to replay");
        WsClient upToDate = v2(user, "?since=" + first[0] + ":3");
        assertEquals(
                new V2.StreamState(first[0], 3, true),
                Welcome.of(upToDate.next()).user(),
                "missed nothing");
        publish(user, "m4");
        assertEquals(V2.message("user", first[0], 4, "m4"), upToDate.next(), "live messages still carry positions");
        missed.abort();
        upToDate.abort();
    }

    @Test
    void duringAnOutageRecordingAnswers503AndNothingIsHalfRecordedAndAnEmptyRedisMeansANewEpoch() {
        start(Map.of());
        String user = user("outage");
        String[] before = publish(user, "kept");
        WsClient tab = v2(user, "");
        Welcome.of(tab.next());

        redis.stop();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> answer = pod.post("/api/v1/realtime/users/" + user + "/messages", "lost" + i);
            statuses.add(answer.statusCode());
            assertTrue(answer.body().contains("\"error\":\"redis_unavailable\""), answer.body());
        }
        assertEquals(List.of(503, 503, 503), statuses);
        WsClient during = v2(user, "?since=" + before[0] + ":1");
        WsClient.Close refused = during.awaitClose(Duration.ofSeconds(5));
        assertEquals(1013, refused.code(), "a v2 connection cannot be given its positions: come back later");

        redis = new RedisProcess(redis.port()).start(); // a new, empty Redis: the history is lost
        await().atMost(Duration.ofSeconds(10))
                .until(() -> pod.get("/q/health/ready").statusCode() == 200);
        String[] after = publish(user, "after");
        assertNotEquals(before[0], after[0], "a new epoch where history was lost");
        assertEquals("1", after[1]);
        try (RedisCli cli = redis.cli()) {
            assertEquals(
                    List.of("after"),
                    cli.list("LRANGE", "{realtime:user:" + user + "}:history", "0", "-1"),
                    "none of the refused messages was recorded");
        }
        WsClient back = v2(user, "?since=" + before[0] + ":1");
        assertEquals(
                new V2.StreamState(after[0], 1, false), Welcome.of(back.next()).user());
        assertEquals(V2.message("user", after[0], 1, "after"), back.next(), "what the new epoch keeps is replayed");
        tab.abort();
        back.abort();
    }
}
