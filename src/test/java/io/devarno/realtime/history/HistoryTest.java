package io.devarno.realtime.history;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.PrometheusText;
import io.devarno.realtime.support.RedisTestResource;
import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.V2;
import io.devarno.realtime.support.V2.Welcome;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Protocol v2 (docs/protocol.md#protocol-v2-history-and-recovery) on one instance: positions given by the REST API and
 * kept in Redis, the v2 session (welcome, envelopes), recovery with {@code since}, bounded history, a flush, hostile
 * positions, v1 unchanged, and the history REST read. The test profile keeps 10 messages per user and 20 broadcasts.
 */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
class HistoryTest extends ServiceTestBase {

    private static final int USER_SIZE = 10;

    record Published(String epoch, long offset) {}

    private Published publish(String user, String payload) {
        JsonPath answer = given().contentType("text/plain; charset=UTF-8")
                .body(payload.getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/realtime/users/{u}/messages", user)
                .then()
                .statusCode(202)
                .body("status", equalTo("accepted"))
                .extract()
                .jsonPath();
        return new Published(answer.getString("epoch"), answer.getLong("offset"));
    }

    private Published broadcast(String payload) {
        JsonPath answer = given().body(payload)
                .post("/api/v1/realtime/broadcast")
                .then()
                .statusCode(202)
                .body("status", equalTo("accepted"))
                .extract()
                .jsonPath();
        return new Published(answer.getString("epoch"), answer.getLong("offset"));
    }

    private WsClient v2(String user, String query) {
        return track(WsClient.connect(socketUri(query), Map.of("X-User-ID", user), V2.OFFER, true));
    }

    private static String since(String name, String epoch, long offset) {
        return "?" + name + "=" + epoch + ":" + offset;
    }

    @Test
    void theRestApiAnswersEachMessagesPositionAndRedisKeepsIt() {
        String user = uniqueUser("rec");
        Published first = publish(user, "a");
        Published second = publish(user, "b");

        assertTrue(first.epoch().matches("[A-Za-z0-9_-]{1,64}"), first.epoch());
        assertEquals(first.epoch(), second.epoch());
        assertEquals(1, first.offset());
        assertEquals(2, second.offset());
        String keys = "{realtime:user:" + user + "}";
        assertEquals(List.of("a", "b"), redis().list("LRANGE", keys + ":history", "0", "-1"));
        assertEquals(first.epoch(), redis().string("HGET", keys + ":meta", "epoch"));
        assertEquals("2", redis().string("HGET", keys + ":meta", "top"));
        for (String key : List.of(keys + ":history", keys + ":meta")) {
            long ttl = redis().number("PTTL", key);
            assertTrue(ttl > 590_000 && ttl <= 600_000, key + " expires 10 minutes after the latest message: " + ttl);
        }
    }

    @Test
    void aV2SessionStartsWithTheWelcomeThenCarriesEveryMessageInItsEnvelope() {
        String user = uniqueUser("v2");
        Published before = publish(user, "before");
        Published broadcastBefore = broadcast("b-before");

        WsClient tab = v2(user, "");
        assertEquals(V2.SUBPROTOCOL, tab.subprotocol());
        Welcome welcome = Welcome.of(tab.next());
        assertFalse(welcome.connection().isEmpty());
        assertEquals(new V2.StreamState(before.epoch(), 1, false), welcome.user());
        assertEquals(new V2.StreamState(broadcastBefore.epoch(), broadcastBefore.offset(), false), welcome.broadcast());

        publish(user, "hello");
        assertEquals(V2.message("user", before.epoch(), 2, "hello"), tab.next());
        Published all = broadcast("to-all");
        assertEquals(V2.message("broadcast", all.epoch(), all.offset(), "to-all"), tab.next());
        redis().call("PUBLISH", "realtime:user:" + user, "plain");
        assertEquals(V2.unrecorded("user", "plain"), tab.next());

        String awkward = "q\"\\\n\t☃ \u0001 </script>";
        Published escaped = publish(user, awkward);
        JsonNode envelope = V2.parse(tab.next());
        assertEquals(escaped.offset(), envelope.get("offset").asLong());
        assertEquals(awkward, envelope.get("data").asText(), "the payload travels as a JSON string");
    }

    @Test
    void realtimeV2IsSelectedWhenOfferedBesideTheBrowserTokenCarrier() {
        String user = uniqueUser("offer");
        WsClient both = track(WsClient.connect(
                socketUri(), Map.of("X-User-ID", user), List.of("bearer-token-carrier", "realtime.v2"), true));
        assertEquals("realtime.v2", both.subprotocol());
        Welcome.of(both.next());

        WsClient carrierOnly =
                track(WsClient.connect(socketUri(), Map.of("X-User-ID", user), List.of("bearer-token-carrier"), true));
        assertEquals("bearer-token-carrier", carrierOnly.subprotocol());
        awaitSubscribed(user);
        publish(user, "verbatim");
        assertEquals(
                "verbatim", carrierOnly.next(), "without realtime.v2 the connection stays v1: no welcome, no envelope");
    }

    @Test
    void v1ConnectionsReceiveExactlyThePublishedBytesAndIgnoreSince() {
        String user = uniqueUser("v1");
        Published earlier = publish(user, "missed earlier");
        WsClient tab =
                track(WsClient.connect(socketUri(since("since", earlier.epoch(), 0)), Map.of("X-User-ID", user)));
        awaitSubscribed(user);

        String payload = "héllo ☃ \"quoted\" \\ <b>";
        publish(user, payload);
        assertEquals(payload, tab.next(), "recorded, yet delivered as published (no welcome, no replay)");
        redis().call("PUBLISH", "realtime:user:" + user, "{\"plain\":true}");
        assertEquals("{\"plain\":true}", tab.next());
        Published all = broadcast("everyone");
        assertTrue(all.offset() > 0);
        assertEquals("everyone", tab.next());
        assertTrue(tab.drain().isEmpty());
    }

    @Test
    void aReconnectWithSinceReplaysWhatWasMissedAfterTheWelcomeThenGoesLive() {
        String user = uniqueUser("recover");
        WsClient first = v2(user, "");
        Welcome welcome = Welcome.of(first.next());
        String epoch = welcome.user().epoch();
        publish(user, "m1");
        assertEquals(V2.message("user", epoch, 1, "m1"), first.next());
        first.abort();

        publish(user, "m2");
        publish(user, "m3");
        Published missedBroadcast = broadcast("b-missed");

        WsClient second = v2(
                user,
                since("since", epoch, 1) + "&broadcast_since="
                        + welcome.broadcast().epoch() + ":"
                        + welcome.broadcast().offset());
        Welcome back = Welcome.of(second.next());
        assertEquals(new V2.StreamState(epoch, 3, true), back.user());
        assertEquals(new V2.StreamState(missedBroadcast.epoch(), missedBroadcast.offset(), true), back.broadcast());
        List<String> replay = List.of(second.next(), second.next(), second.next());
        assertTrue(
                replay.containsAll(List.of(
                        V2.message("user", epoch, 2, "m2"),
                        V2.message("user", epoch, 3, "m3"),
                        V2.message("broadcast", missedBroadcast.epoch(), missedBroadcast.offset(), "b-missed"))),
                replay.toString());
        assertTrue(replay.indexOf(V2.message("user", epoch, 2, "m2"))
                < replay.indexOf(V2.message("user", epoch, 3, "m3")));

        publish(user, "m4");
        assertEquals(V2.message("user", epoch, 4, "m4"), second.next());
        assertTrue(second.drain().isEmpty(), "no duplicate");
    }

    @Test
    void moreMissedThanTheHistoryKeepsIsNotRecoveredAndTheNewestKeptAreReplayedInOrder() {
        String user = uniqueUser("bounded");
        WsClient first = v2(user, "");
        Welcome welcome = Welcome.of(first.next());
        first.abort();
        for (int i = 1; i <= 15; i++) {
            publish(user, "m" + i);
        }

        WsClient back = v2(user, since("since", welcome.user().epoch(), 0));
        assertEquals(
                new V2.StreamState(welcome.user().epoch(), 15, false),
                Welcome.of(back.next()).user());
        for (int i = 15 - USER_SIZE + 1; i <= 15; i++) {
            assertEquals(V2.message("user", welcome.user().epoch(), i, "m" + i), back.next());
        }
        assertEquals(
                USER_SIZE,
                redis().number("LLEN", "{realtime:user:" + user + "}:history"),
                "Redis keeps only the newest");
        back.send("{\"type\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", back.next(), "nothing else was replayed");
    }

    @Test
    void afterAFlushTheStreamHasANewEpochAndEverythingItKeepsIsReplayed() {
        String user = uniqueUser("flush");
        Published old = null;
        for (int i = 1; i <= 3; i++) {
            old = publish(user, "old" + i);
        }
        redis().call("FLUSHALL");
        Published renewed = publish(user, "new1");
        publish(user, "new2");
        assertNotEquals(old.epoch(), renewed.epoch());
        assertEquals(1, renewed.offset());

        WsClient back = v2(user, since("since", old.epoch(), old.offset()));
        assertEquals(
                new V2.StreamState(renewed.epoch(), 2, false),
                Welcome.of(back.next()).user());
        assertEquals(V2.message("user", renewed.epoch(), 1, "new1"), back.next());
        assertEquals(V2.message("user", renewed.epoch(), 2, "new2"), back.next());
    }

    @Test
    void malformedHostileOrFuturePositionsReplayNothingAndNeverClose() {
        String user = uniqueUser("hostile");
        Published first = publish(user, "kept1");
        publish(user, "kept2");
        String epoch = first.epoch();
        List<String> hostile = new ArrayList<>(List.of(
                "",
                "abc",
                ":5",
                epoch + ":",
                epoch + ":-1",
                epoch + ";1",
                epoch + ":1:2",
                epoch + ":1.5",
                epoch + ": 1",
                epoch + ":99999999999999999999999999999",
                epoch + ":" + Long.MAX_VALUE,
                "é:1",
                "a".repeat(65) + ":1",
                "x".repeat(3000),
                epoch + ":" + "9".repeat(3000)));
        List<String> future = List.of(epoch + ":3", epoch + ":1000000");
        hostile.addAll(future);
        for (String value : hostile) {
            String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
            // a future user position is another epoch for the broadcast stream: sent for the user stream only
            WsClient tab =
                    v2(user, "?since=" + encoded + (future.contains(value) ? "" : "&broadcast_since=" + encoded));
            Welcome welcome = Welcome.of(tab.next());
            assertEquals(new V2.StreamState(epoch, 2, false), welcome.user(), "since=" + abbreviated(value));
            assertFalse(welcome.broadcast().recovered());
            tab.send("{\"type\":\"ping\"}");
            assertEquals(
                    "{\"type\":\"pong\"}",
                    tab.next(),
                    "nothing replayed, connection open: since=" + abbreviated(value));
            tab.abort();
        }
        // Past the 8 KB request line (quarkus.http.limits.max-initial-line-length) the upgrade never reaches the
        // service.
        assertEquals(
                414,
                WsClient.reject(socketUri("?since=" + "x".repeat(10 * 1024)), Map.of("X-User-ID", user), V2.OFFER)
                        .status());
        WsClient raw = v2(user, "?since=abc&since=" + epoch + ":1");
        assertEquals(new V2.StreamState(epoch, 2, false), Welcome.of(raw.next()).user(), "the first since counts");
    }

    @Test
    void anUnknownEpochIsNotRecoveredAndReplaysEverythingKept() {
        String user = uniqueUser("unknown");
        Published first = publish(user, "k1");
        publish(user, "k2");
        WsClient tab = v2(user, "?since=zz-unknown_epoch:1");
        assertEquals(
                new V2.StreamState(first.epoch(), 2, false),
                Welcome.of(tab.next()).user());
        assertEquals(V2.message("user", first.epoch(), 1, "k1"), tab.next());
        assertEquals(V2.message("user", first.epoch(), 2, "k2"), tab.next());
    }

    @Test
    void theHistoryApiReadsKeptMessagesAfterAPosition() {
        String user = uniqueUser("read");
        Published first = publish(user, "r1");
        publish(user, "r2");
        publish(user, "r3");
        String path = "/api/v1/realtime/users/{u}/history";
        given().queryParam("since", first.epoch() + ":1")
                .get(path, user)
                .then()
                .statusCode(200)
                .body("epoch", equalTo(first.epoch()))
                .body("offset", equalTo(3))
                .body("recovered", equalTo(true))
                .body("messages.offset", equalTo(List.of(2, 3)))
                .body("messages.data", equalTo(List.of("r2", "r3")));
        given().get(path, user)
                .then()
                .statusCode(200)
                .body("messages.data", equalTo(List.of("r1", "r2", "r3")))
                .body("recovered", equalTo(true));
        given().queryParam("limit", 2)
                .get(path, user)
                .then()
                .statusCode(200)
                .body("messages.offset", equalTo(List.of(1, 2)))
                .body("offset", equalTo(3));
        given().queryParam("limit", 0)
                .get(path, user)
                .then()
                .statusCode(200)
                .body("messages", equalTo(List.of()))
                .body("offset", equalTo(3))
                .body("epoch", equalTo(first.epoch()));
        given().queryParam("since", "other:1")
                .get(path, user)
                .then()
                .statusCode(200)
                .body("recovered", equalTo(false))
                .body("messages.offset", equalTo(List.of(1, 2, 3)));

        given().queryParam("since", "bad")
                .get(path, user)
                .then()
                .statusCode(400)
                .contentType("application/json")
                .body("error", equalTo("invalid_since"));
        for (String limit : List.of("-1", "abc", "1001", "99999999999")) {
            given().queryParam("limit", limit)
                    .get(path, user)
                    .then()
                    .statusCode(400)
                    .body("error", equalTo("invalid_limit"));
        }
        given().get(path, "bad*id").then().statusCode(400).body("error", equalTo("invalid_user_id"));

        String fresh = uniqueUser("fresh");
        String epoch = given().get(path, fresh)
                .then()
                .statusCode(200)
                .body("offset", equalTo(0))
                .body("messages", equalTo(List.of()))
                .extract()
                .path("epoch");
        assertEquals(1, publish(fresh, "x").offset());
        assertEquals(epoch, publish(fresh, "y").epoch(), "the position handed out stays valid when messages follow");

        Published all = broadcast("b-read");
        given().queryParam("since", all.epoch() + ":" + (all.offset() - 1))
                .get("/api/v1/realtime/broadcast/history")
                .then()
                .statusCode(200)
                .body("messages.data", equalTo(List.of("b-read")))
                .body("recovered", equalTo(true));
    }

    private static double metric(String series) {
        return PrometheusText.value(
                given().get("/q/metrics").then().statusCode(200).extract().asString(), series);
    }

    @Test
    void recoveriesAndReplayedMessagesAreCounted() {
        String user = uniqueUser("metrics");
        Published first = publish(user, "x1");
        publish(user, "x2");
        double complete = metric("realtime_history_recovered_total{result=\"complete\"}");
        double partial = metric("realtime_history_recovered_total{result=\"partial\"}");
        double replayed = metric("realtime_history_replayed_total");

        WsClient recovered = v2(user, since("since", first.epoch(), 1));
        Welcome.of(recovered.next());
        assertEquals(V2.message("user", first.epoch(), 2, "x2"), recovered.next());
        WsClient malformed = v2(user, "?since=nonsense");
        Welcome.of(malformed.next());

        assertEquals(complete + 1, metric("realtime_history_recovered_total{result=\"complete\"}"));
        assertEquals(partial + 1, metric("realtime_history_recovered_total{result=\"partial\"}"));
        assertEquals(replayed + 1, metric("realtime_history_replayed_total"));
    }

    private static String abbreviated(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "...(" + value.length() + ")" : value;
    }
}
