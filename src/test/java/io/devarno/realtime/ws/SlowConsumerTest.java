package io.devarno.realtime.ws;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithRedis
class SlowConsumerTest extends ServiceTestBase {

    @Test
    void aConnectionThatStopsReadingIsClosedWith1013AndDelaysNoOtherConnection() {
        String slowUser = uniqueUser("slow");
        String fastUser = uniqueUser("fast");
        WsClient slow = track(WsClient.connect(socketUri(), Map.of("X-User-ID", slowUser), List.of(), false));
        WsClient fast = connect(fastUser);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> (Long) redis().list("PUBSUB", "NUMSUB", "realtime:user:" + slowUser)
                                        .get(1)
                                == 1
                        && (Long) redis().list("PUBSUB", "NUMSUB", "realtime:user:" + fastUser)
                                        .get(1)
                                == 1);

        // 60 KB messages: socket buffers fill after a few MB, then the 16-message send buffer (%test profile).
        String big = "x".repeat(60 * 1024);
        for (int i = 0; i < 400; i++) {
            redis().call("PUBLISH", "realtime:user:" + slowUser, big);
            if (i % 40 == 0) {
                redis().call("PUBLISH", "realtime:user:" + fastUser, "tick" + i);
            }
        }

        for (int i = 0; i < 400; i += 40) {
            assertEquals("tick" + i, fast.next(Duration.ofSeconds(2)), "the fast reader is never held up");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> redis().number("EXISTS", "presence:" + slowUser) == 0);
        given().get("/q/metrics")
                .then()
                .body(containsString("realtime_slow_consumer_disconnects_total"))
                .body(containsString("realtime_connections_closed_total{reason=\"slow_consumer\"}"));

        slow.resumeReading(Long.MAX_VALUE);
        assertEquals(1013, slow.awaitClose(Duration.ofSeconds(20)).code());
    }

    @Test
    void aBurstLargerThanTheSendBufferReachesAReadingTabWhole() {
        String user = uniqueUser("burst");
        WsClient tab = connect(user);
        awaitSubscribed(user);

        // One script publishes 200 messages back to back, so the pod reads them in one go: 12 times the
        // 16-message send buffer of the %test profile, none of it waiting for the client.
        redis().call(
                        "EVAL",
                        "for i = 1, 200 do redis.call('PUBLISH', KEYS[1], 'm' .. i) end",
                        "1",
                        "realtime:user:" + user);

        for (int i = 1; i <= 200; i++) {
            assertEquals("m" + i, tab.next());
        }
        assertEquals(false, tab.isClosed(), "not closed as a slow consumer");
    }
}
