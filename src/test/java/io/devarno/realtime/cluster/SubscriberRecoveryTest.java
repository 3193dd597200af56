package io.devarno.realtime.cluster;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Redis drops a subscriber while it stays up, for instance when the pod falls behind and its pub/sub output
 * buffer passes {@code client-output-buffer-limit pubsub}. The pod must notice and subscribe again by itself.
 */
@QuarkusTest
@WithRedis
class SubscriberRecoveryTest extends ServiceTestBase {

    @Test
    void aSubscriberConnectionDroppedByRedisIsReplacedAndMessagesFlowAgain() {
        String user = uniqueUser("dropped");
        WsClient tab = connect(user);
        awaitSubscribers("realtime:user:" + user);

        assertTrue(redis().number("CLIENT", "KILL", "TYPE", "pubsub") >= 1, "the pod's subscriber was killed");

        // within realtime.redis.reconnect-interval (1s), without the tab reconnecting
        awaitSubscribers("realtime:user:" + user);
        awaitSubscribers("realtime:broadcast");
        redis().call("PUBLISH", "realtime:user:" + user, "after the drop");
        assertEquals("after the drop", tab.next(Duration.ofSeconds(5)));
        given().body("broadcast after the drop")
                .post("/api/v1/realtime/broadcast")
                .then()
                .statusCode(202);
        assertEquals("broadcast after the drop", tab.next(Duration.ofSeconds(5)));
        awaitKeyPresent("presence:" + user);
        given().get("/q/health/ready").then().statusCode(200);
    }

    private void awaitSubscribers(String channel) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> (Long) redis().list("PUBSUB", "NUMSUB", channel).get(1) >= 1);
    }
}
