package io.devarno.realtime.ws;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.RawWebSocket;
import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;

/** docs/security.md in trusted-header mode, and the origin allow-list. */
@QuarkusTest
@WithRedis
class UpgradeTest extends ServiceTestBase {

    @Test
    void anUpgradeWithoutAUserIdGets401WithAJsonBody() {
        WsClient.Rejection rejection = WsClient.reject(socketUri(), Map.of());
        assertEquals(401, rejection.status());
        assertTrue(rejection.body().contains("\"error\":\"unauthorized\""), rejection.body());
    }

    @Test
    void theUserIdMayComeFromTheQueryWhenNoHeaderIsSent() {
        String user = uniqueUser("query");
        track(WsClient.connect(socketUri("?user_id=" + user), Map.of()));
        awaitKeyPresent("presence:" + user);
    }

    @Test
    void invalidUserIdsGet400AndNeverReachRedis() {
        // Keys of other tests may expire meanwhile: compare the key sets, not their sizes.
        Set<Object> keysBefore = new HashSet<>(redis().list("KEYS", "*"));
        for (String bad : new String[] {"a*", "a?b", "a[b]", "a b", "a%0Ab", "x".repeat(129), "%00"}) {
            WsClient.Rejection rejection = WsClient.reject(socketUri("?user_id=" + bad.replace(" ", "%20")), Map.of());
            assertEquals(400, rejection.status(), bad);
            assertTrue(rejection.body().contains("\"error\":\"invalid_user_id\""), rejection.body());
        }
        Set<Object> added = new HashSet<>(redis().list("KEYS", "*"));
        added.removeAll(keysBefore);
        assertEquals(Set.of(), added, "keys written for refused user ids");
    }

    @Test
    void aUserIdOf128AllowedCharactersIsAccepted() {
        String user =
                ("A-z0.9_:@" + Long.toHexString(System.nanoTime())).repeat(10).substring(0, 128);
        connect(user);
        awaitKeyPresent("presence:" + user);
    }

    @Test
    void aBrowserFromAnOriginNotAllowedGets403() {
        WsClient.Rejection rejection =
                WsClient.reject(socketUri(), Map.of("X-User-ID", "u1", "Origin", "https://evil.example.com"));
        assertEquals(403, rejection.status());
        assertTrue(rejection.body().contains("\"error\":\"origin_not_allowed\""), rejection.body());
    }

    @Test
    void aBrowserFromAnAllowedOriginIsAccepted() {
        String user = uniqueUser("origin");
        track(WsClient.connect(socketUri(), Map.of("X-User-ID", user, "Origin", "https://app.example.com")));
        awaitKeyPresent("presence:" + user);
    }

    @Test
    void aClientCannotForgeTheVerifiedIdentityHeaders() throws InterruptedException {
        String alice = uniqueUser("alice");
        String admin = uniqueUser("admin");
        long expiredAnHourAgo = System.currentTimeMillis() / 1000 - 3600;
        WsClient tab = connect(
                alice,
                Map.of(
                        "X-Realtime-Verified-User",
                        admin,
                        "X-Realtime-Verified-Expiry",
                        Long.toString(expiredAnHourAgo)));
        awaitKeyPresent("presence:" + alice);
        String connections = given().get("/api/v1/realtime/connections")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertTrue(connections.contains("\"" + alice + "\"") && !connections.contains(admin), connections);
        Thread.sleep(1500); // six heartbeat ticks of the test profile: a forged expiry would have closed it with 4001
        tab.send("{\"type\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", tab.next());
        assertFalse(tab.isClosed(), () -> "closed: " + tab.awaitClose(java.time.Duration.ofSeconds(1)));
    }

    @Test
    void aRefusedUpgradeAnswersConnectionCloseAndThenClosesItsTcpConnection() {
        String full = uniqueUser("full");
        for (int i = 0; i < 4; i++) { // the test profile's max-connections-per-user
            connect(full);
        }
        Map<String, Map<String, String>> refusals = new LinkedHashMap<>();
        refusals.put("401", Map.of());
        refusals.put("403", Map.of("X-User-ID", "u1", "Origin", "https://evil.example.com"));
        refusals.put("400", Map.of("X-User-ID", "a*"));
        refusals.put("429", Map.of("X-User-ID", full));
        refusals.forEach((status, headers) -> {
            RawWebSocket.Refusal refusal = RawWebSocket.refused(socketUri(), headers);
            assertEquals(
                    status + " close {\"error\": eof",
                    refusal.status() + " " + refusal.headers().get("connection") + " "
                            + refusal.body()
                                    .substring(0, Math.min(9, refusal.body().length())) + " " + refusal.afterBody(),
                    refusal.toString());
        });
    }

    @Test
    void compressionOffersAreDeclinedSoNoConnectionHoldsZlibState() {
        for (String offer :
                new String[] {"permessage-deflate; client_max_window_bits", "x-webkit-deflate-frame", "deflate-frame"
                }) {
            String user = uniqueUser("deflate");
            WsClient.Handshake handshake =
                    WsClient.rawHandshake(socketUri(), Map.of("X-User-ID", user, "Sec-WebSocket-Extensions", offer));
            assertEquals(101, handshake.status(), offer);
            assertFalse(
                    handshake.headers().containsKey("sec-websocket-extensions"),
                    offer + " accepted: " + handshake.headers());
        }
    }
}
