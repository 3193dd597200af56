package io.devarno.realtime.ws;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** An open WebSocket is governed by the heartbeat, not by the HTTP server's idle timeout. */
@QuarkusTest
@TestProfile(QuietTabTest.ShortHttpIdleTimeout.class)
@WithRedis
class QuietTabTest extends ServiceTestBase {

    /** The HTTP idle timeout far below the ping interval: before the hand-over, a quiet tab died after 1 s. */
    public static class ShortHttpIdleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.http.idle-timeout", "1s", "realtime.ping-interval", "4s", "realtime.pong-timeout", "10s");
        }
    }

    @Test
    void aQuietTabOutlivesTheHttpIdleTimeout() {
        String user = uniqueUser("quiet");
        WsClient tab = connect(user);
        awaitKeyPresent("presence:" + user);

        await().during(Duration.ofMillis(3000)).atMost(Duration.ofSeconds(4)).until(() -> !tab.isClosed());

        redis().call("PUBLISH", "realtime:user:" + user, "still here");
        assertEquals("still here", tab.next(Duration.ofSeconds(5)));
    }
}
