package io.devarno.realtime.ws;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithRedis
class FanOutTest extends ServiceTestBase {

    private void publishToUser(String userId, String payload) {
        given().body(payload)
                .post("/api/v1/realtime/users/{u}/messages", userId)
                .then()
                .statusCode(202);
    }

    @Test
    void everyTabOfTheUserGetsTheMessageExactlyOnce() {
        String alice = uniqueUser("alice");
        String bob = uniqueUser("bob");
        WsClient tab1 = connect(alice);
        WsClient tab2 = connect(alice);
        WsClient tab3 = connect(alice);
        WsClient other = connect(bob);
        awaitSubscribed(alice);
        awaitSubscribed(bob);

        publishToUser(alice, "{\"type\":\"notice\",\"body\":\"hi\"}");

        for (WsClient tab : List.of(tab1, tab2, tab3)) {
            assertEquals("{\"type\":\"notice\",\"body\":\"hi\"}", tab.next());
        }
        publishToUser(bob, "marker");
        assertEquals("marker", other.next(), "bob's first message is his own, not alice's");
        for (WsClient tab : List.of(tab1, tab2, tab3)) {
            assertTrue(tab.drain().isEmpty(), "no duplicate");
        }
    }

    @Test
    void aMessagePublishedStraightIntoRedisReachesTheUser() {
        String carol = uniqueUser("carol");
        WsClient tab = connect(carol);
        awaitSubscribed(carol);

        redis().call("PUBLISH", "realtime:user:" + carol, "{\"type\":\"notice\"}");

        assertEquals("{\"type\":\"notice\"}", tab.next());
    }

    @Test
    void messagesOfEveryFrameLengthClassArriveIntact() {
        String erin = uniqueUser("erin");
        WsClient tab1 = connect(erin);
        WsClient tab2 = connect(erin);
        awaitSubscribed(erin);
        // 7-bit, 16-bit and 64-bit WebSocket length fields, on both sides of each boundary, with multi-byte text.
        for (int length : new int[] {0, 125, 126, 65_535, 65_536, 200_000}) {
            String payload = "é".repeat(length / 2) + "x".repeat(length % 2);

            redis().call("PUBLISH", "realtime:user:" + erin, payload);

            assertEquals(payload, tab1.next(), "payload of " + length + " bytes");
            assertEquals(payload, tab2.next(), "payload of " + length + " bytes, second tab");
        }
    }

    @Test
    void messagesFromOnePublisherArriveInPublishOrder() {
        String dave = uniqueUser("dave");
        WsClient tab = connect(dave);
        awaitSubscribed(dave);

        for (int i = 0; i < 50; i++) {
            publishToUser(dave, "m" + i);
        }

        for (int i = 0; i < 50; i++) {
            assertEquals("m" + i, tab.next());
        }
    }

    @Test
    void aBroadcastReachesEveryConnectedUser() {
        WsClient erin = connect(uniqueUser("erin"));
        WsClient frank = connect(uniqueUser("frank"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> (Long) redis().list("PUBSUB", "NUMSUB", "realtime:broadcast")
                                .get(1)
                        >= 1);

        given().body("{\"type\":\"maintenance\"}")
                .post("/api/v1/realtime/broadcast")
                .then()
                .statusCode(202)
                .body("status", org.hamcrest.Matchers.equalTo("accepted"));

        assertEquals("{\"type\":\"maintenance\"}", erin.next());
        assertEquals("{\"type\":\"maintenance\"}", frank.next());
    }

    @Test
    void theUserChannelIsSubscribedWhileTheUserHasALocalConnectionOnly() {
        String gina = uniqueUser("gina");
        WsClient tab1 = connect(gina);
        WsClient tab2 = connect(gina);
        awaitSubscribed(gina);

        tab1.close();
        tab1.awaitClose(Duration.ofSeconds(5));
        assertEquals(
                1L,
                redis().list("PUBSUB", "NUMSUB", "realtime:user:" + gina).get(1),
                "still subscribed for the other tab");

        tab2.close();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> (Long) redis().list("PUBSUB", "NUMSUB", "realtime:user:" + gina)
                                .get(1)
                        == 0);
    }
}
