package io.devarno.realtime.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** docs/protocol.md#rest-api: answers and errors of the internal REST API. */
@QuarkusTest
@WithRedis
class RestApiTest extends ServiceTestBase {

    @Test
    void publishingToAUserAnswers202Accepted() {
        given().body("{\"n\":1}")
                .post("/api/v1/realtime/users/{u}/messages", "someone")
                .then()
                .statusCode(202)
                .contentType("application/json")
                .body("status", equalTo("accepted"));
    }

    @Test
    void publishingToAnInvalidUserIdAnswers400() {
        given().body("x")
                .post("/api/v1/realtime/users/{u}/messages", "bad*id")
                .then()
                .statusCode(400)
                .body("error", equalTo("invalid_user_id"))
                .body("message", notNullValue());
    }

    @Test
    void anEmptyBodyAnswers400() {
        given().body("")
                .post("/api/v1/realtime/users/{u}/messages", "someone")
                .then()
                .statusCode(400)
                .body("error", equalTo("empty_body"));
        given().body("")
                .post("/api/v1/realtime/broadcast")
                .then()
                .statusCode(400)
                .body("error", equalTo("empty_body"));
    }

    @Test
    void aBodyOverTheMaxMessageSizeAnswers413() {
        given().body("x".repeat(64 * 1024 + 1))
                .post("/api/v1/realtime/users/{u}/messages", "someone")
                .then()
                .statusCode(413)
                .body("error", equalTo("payload_too_large"));
        given().body("x".repeat(64 * 1024 + 1))
                .post("/api/v1/realtime/broadcast")
                .then()
                .statusCode(413)
                .body("error", equalTo("payload_too_large"));
    }

    @Test
    void aBodyThatIsNotUtf8Answers400() {
        given().body(new byte[] {'{', (byte) 0xC3, 0x28, '}'})
                .contentType("text/plain")
                .post("/api/v1/realtime/users/{u}/messages", "utf8-target")
                .then()
                .statusCode(400)
                .contentType("application/json")
                .body("error", equalTo("invalid_utf8"));
    }

    @Test
    void aJsonBodyMustParseAndAnyOtherTypeIsOpaqueText() {
        given().body("{\"a\":")
                .contentType("application/json")
                .post("/api/v1/realtime/broadcast")
                .then()
                .statusCode(400)
                .body("error", equalTo("invalid_json"));
        given().body("{\"a\":1} trailing")
                .contentType("application/json; charset=utf-8")
                .post("/api/v1/realtime/broadcast")
                .then()
                .statusCode(400)
                .body("error", equalTo("invalid_json"));
        given().body("{\"a\":1}")
                .contentType("application/json")
                .post("/api/v1/realtime/broadcast")
                .then()
                .statusCode(202);
        given().body("{\"a\":")
                .contentType("text/plain")
                .post("/api/v1/realtime/broadcast")
                .then()
                .statusCode(202);
    }

    @Test
    void everyErrorUnderApiAndWsIsJson() {
        given().get("/api/v1/realtime/nothing-here")
                .then()
                .statusCode(404)
                .contentType("application/json")
                .body("error", equalTo("not_found"))
                .body("message", notNullValue());
        given().get("/api/elsewhere")
                .then()
                .statusCode(404)
                .contentType("application/json")
                .body("error", equalTo("not_found"));
        given().header("X-User-ID", "u1")
                .get("/ws/unknown")
                .then()
                .statusCode(404)
                .contentType("application/json")
                .body("error", equalTo("not_found"));
        given().delete("/api/v1/realtime/broadcast")
                .then()
                .statusCode(405)
                .contentType("application/json")
                .body("error", equalTo("method_not_allowed"));
        given().accept("text/plain")
                .get("/api/v1/realtime/connections")
                .then()
                .statusCode(406)
                .contentType("application/json")
                .body("error", equalTo("not_acceptable"));
    }

    @Test
    void theBodyIsDeliveredByteForByte() {
        String user = uniqueUser("bytes");
        var tab = connect(user);
        await().until(() ->
                (Long) redis().list("PUBSUB", "NUMSUB", "realtime:user:" + user).get(1) == 1);
        String payload = "héllo ☃ \"quoted\" \\ <b>";
        given().contentType("text/plain; charset=UTF-8")
                .body(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/api/v1/realtime/users/{u}/messages", user)
                .then()
                .statusCode(202);
        assertEquals(payload, tab.next());
    }

    @Test
    void presenceOfAConnectedUserIsOnlineWithLastSeen() {
        String user = uniqueUser("pres");
        connect(user);
        awaitKeyPresent("presence:" + user);
        given().get("/api/v1/realtime/presence/{u}", user)
                .then()
                .statusCode(200)
                .body("userId", equalTo(user))
                .body("online", equalTo(true))
                .body("lastSeen", notNullValue());
    }

    @Test
    void presenceOfAnUnknownUserIsOfflineWithNullLastSeen() {
        given().get("/api/v1/realtime/presence/{u}", uniqueUser("nobody"))
                .then()
                .statusCode(200)
                .body("online", equalTo(false))
                .body("lastSeen", nullValue());
    }

    @Test
    void presenceOfAnInvalidUserIdAnswers400() {
        given().get("/api/v1/realtime/presence/{u}", "a b")
                .then()
                .statusCode(400)
                .body("error", equalTo("invalid_user_id"));
    }

    @Test
    void followingCursorsListsEveryOnlineUserOnce() {
        Set<String> mine = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            String user = uniqueUser("page" + i);
            mine.add(user);
            connect(user);
        }
        await().until(() -> mine.stream().allMatch(u -> redis().number("EXISTS", "presence:" + u) == 1));

        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = given().queryParam("limit", 3);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get("/api/v1/realtime/presence")
                    .then()
                    .statusCode(200)
                    .extract()
                    .response();
            List<String> users = page.jsonPath().getList("users");
            assertTrue(users.size() <= 3);
            listed.addAll(users);
            cursor = page.jsonPath().getString("cursor");
            pages++;
        } while (cursor != null && pages < 1000);

        assertEquals(new HashSet<>(listed).size(), listed.size(), "no user twice");
        assertTrue(listed.containsAll(mine));
    }

    @Test
    void theOnlineListDoesNotUseKeysAndIgnoresUnrelatedKeys() {
        for (int i = 0; i < 50; i++) {
            redis().call("SET", "unrelated:" + i, "x");
        }
        given().queryParam("limit", 1000)
                .get("/api/v1/realtime/presence")
                .then()
                .statusCode(200)
                .body("users.findAll { it.startsWith('unrelated') }.size()", equalTo(0));
    }

    @Test
    void aBadLimitOrCursorAnswers400() {
        given().queryParam("limit", 0)
                .get("/api/v1/realtime/presence")
                .then()
                .statusCode(400)
                .body("error", equalTo("invalid_limit"));
        given().queryParam("limit", 1001)
                .get("/api/v1/realtime/presence")
                .then()
                .statusCode(400)
                .body("error", equalTo("invalid_limit"));
        given().queryParam("limit", "ten")
                .get("/api/v1/realtime/presence")
                .then()
                .statusCode(400)
                .body("error", equalTo("invalid_limit"));
        given().queryParam("cursor", "!!!")
                .get("/api/v1/realtime/presence")
                .then()
                .statusCode(400)
                .body("error", equalTo("invalid_cursor"));
    }

    @Test
    void connectionsListsThisPodsUsersWithTheirTabCounts() {
        String user = uniqueUser("conns");
        connect(user);
        connect(user);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given().get("/api/v1/realtime/connections")
                .then()
                .statusCode(200)
                .body("pod", notNullValue())
                .body("users.find { it.userId == '" + user + "' }.connections", equalTo(2))
                .body("users.userId", hasItem(user)));
    }
}
