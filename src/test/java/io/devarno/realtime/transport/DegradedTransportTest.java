package io.devarno.realtime.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * What an upgrade that renames the private fields behind direct writes does to the service: it starts, says so in
 * its start-up line, and serves every connection through websockets-next's send API with the same protocol: fan-out
 * to every tab in order, heartbeats, and the slow-consumer close.
 */
@QuarkusTest
@TestProfile(DegradedTransportTest.MissingInternals.class)
@WithRedis
class DegradedTransportTest extends ServiceTestBase {

    /** websockets-next's connection and the Vert.x socket base without the fields we look for. */
    @Alternative
    @Singleton
    static class RenamedInternals extends WebSocketTransports {
        RenamedInternals(RealtimeConfig config) {
            super(config, CONNECTION + "Renamed", WRAPPER, SOCKET_BASE + "Renamed");
        }
    }

    public static class MissingInternals implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(RenamedInternals.class);
        }
    }

    @Inject
    WebSocketTransports transports;

    @Inject
    TransportReport report;

    @Test
    void startUpGoesOnAndTheStartUpLineSaysWhatIsOff() {
        assertFalse(transports.directWrites());
        assertFalse(transports.releasesUpgradeHeaders());
        assertTrue(report.summary().contains("fan-out writes: websockets-next send API (degraded"), report.summary());
        assertTrue(report.summary().contains("upgrade headers after open: kept"), report.summary());
    }

    @Test
    void everyTabGetsEveryMessageInOrder() {
        String user = uniqueUser("degraded");
        WsClient first = connect(user);
        WsClient second = connect(user);
        awaitSubscribed(user);

        redis().call(
                        "EVAL",
                        "for i = 1, 100 do redis.call('PUBLISH', KEYS[1], 'm' .. i) end",
                        "1",
                        "realtime:user:" + user);
        redis().call("PUBLISH", "realtime:broadcast", "to everyone: é");

        for (WsClient tab : List.of(first, second)) {
            for (int i = 1; i <= 100; i++) {
                assertEquals("m" + i, tab.next());
            }
            assertEquals("to everyone: é", tab.next());
        }
    }

    @Test
    void aTabThatAnswersPingsOutlivesThePongTimeout() {
        String user = uniqueUser("degraded-heartbeat");
        WsClient tab = connect(user);
        awaitKeyPresent("presence:" + user);

        // %test: ping every 1 s, closed after 3 s without a pong
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> !tab.isClosed());
        redis().call("PUBLISH", "realtime:user:" + user, "still here");
        assertEquals("still here", tab.next(Duration.ofSeconds(5)));
    }

    @Test
    void aConnectionThatStopsReadingIsStillClosedWith1013() {
        String user = uniqueUser("degraded-slow");
        WsClient slow = track(WsClient.connect(socketUri(), Map.of("X-User-ID", user), List.of(), false));
        awaitSubscribed(user);

        String big = "x".repeat(60 * 1024);
        for (int i = 0; i < 400; i++) {
            redis().call("PUBLISH", "realtime:user:" + user, big);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> redis().number("EXISTS", "presence:" + user) == 0);
        slow.resumeReading(Long.MAX_VALUE);
        assertEquals(1013, slow.awaitClose(Duration.ofSeconds(20)).code());
    }
}
