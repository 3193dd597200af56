package io.devarno.realtime.ws;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.devarno.realtime.transport.WebSocketTransports;
import io.quarkus.arc.Arc;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.ext.web.RoutingContext;

/**
 * An open WebSocket keeps nothing of the HTTP request that upgraded it but the handshake headers and the verified
 * user. websockets-next holds the upgrade's RoutingContext (request, response, header maps: ~2.9 KB) for the
 * connection's life whenever a CurrentIdentityAssociation bean exists; application.properties leaves those
 * beans out. Vert.x and websockets-next each keep the upgrade headers; UpgradeGate trims them first, and the
 * Vert.x socket drops its map once the connection is open.
 */
@QuarkusTest
@WithRedis
class UpgradeRequestReleaseTest extends ServiceTestBase {

    static final String PROBE_HEADER = "X-Upgrade-Probe";

    /** Remembers, weakly, the routing context of upgrades that carry the probe header. */
    @ApplicationScoped
    static class UpgradeProbe {
        private final AtomicReference<WeakReference<RoutingContext>> lastUpgrade = new AtomicReference<>();

        WeakReference<RoutingContext> lastUpgrade() {
            return lastUpgrade.get();
        }

        void watch(@Observes Filters filters) {
            filters.register(
                    rc -> {
                        if (rc.request().getHeader(PROBE_HEADER) != null) {
                            lastUpgrade.set(new WeakReference<>(rc));
                        }
                        rc.next();
                    },
                    Integer.MAX_VALUE);
        }
    }

    @Test
    void websocketsNextFindsNoIdentityAssociationToKeepTheUpgradeFor() {
        assertFalse(Arc.container().select(CurrentIdentityAssociation.class).isResolvable());
    }

    @Test
    void theUpgradeRequestIsCollectableWhileItsWebSocketStaysOpen() {
        UpgradeProbe probe = Arc.container().instance(UpgradeProbe.class).get();
        String user = uniqueUser("released");
        WsClient tab = track(WsClient.connect(socketUri(), Map.of("X-User-ID", user, PROBE_HEADER, "1")));
        awaitKeyPresent("presence:" + user);
        assertNotNull(probe.lastUpgrade(), "the probe saw the upgrade");

        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    System.gc();
                    return probe.lastUpgrade().get() == null;
                });

        redis().call("PUBLISH", "realtime:user:" + user, "still open");
        assertEquals("still open", tab.next(Duration.ofSeconds(5)));
    }

    @Test
    void anOpenConnectionKeepsOnlyItsHandshakeHeadersAndTheVerifiedUser() {
        String user = uniqueUser("headers");
        track(WsClient.connect(
                socketUri(),
                Map.of(
                        "X-User-ID",
                        user,
                        "Origin",
                        "https://app.example.com",
                        "Cookie",
                        "session=secret",
                        "X-Forwarded-For",
                        "203.0.113.7",
                        "traceparent",
                        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")));
        awaitKeyPresent("presence:" + user);

        WebSocketConnection connection = openConnectionOf(user);
        Set<String> kept = connection.handshakeRequest().headers().keySet().stream()
                .map(name -> name.toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        assertEquals(
                Set.of(
                        "host",
                        "connection",
                        "upgrade",
                        "sec-websocket-key",
                        "sec-websocket-version",
                        "x-realtime-verified-user"),
                kept);
    }

    @Test
    void twoOpenConnectionsShareTheStringsOfTheirKeptHeadersButTheKey() {
        String first = uniqueUser("shared-a");
        String second = uniqueUser("shared-b");
        track(WsClient.connect(socketUri(), Map.of("X-User-ID", first)));
        track(WsClient.connect(socketUri(), Map.of("X-User-ID", second)));
        awaitKeyPresent("presence:" + first);
        awaitKeyPresent("presence:" + second);

        Map<String, List<String>> a = openConnectionOf(first).handshakeRequest().headers();
        Map<String, List<String>> b =
                openConnectionOf(second).handshakeRequest().headers();
        for (String name : List.of("host", "connection", "upgrade", "sec-websocket-version")) {
            assertSame(nameIn(a, name), nameIn(b, name), name);
            assertSame(a.get(name).get(0), b.get(name).get(0), name);
        }
        assertSame(nameIn(a, UpgradeGate.VERIFIED_USER), nameIn(b, UpgradeGate.VERIFIED_USER));
        assertNotEquals(
                a.get("sec-websocket-key").get(0), b.get("sec-websocket-key").get(0));
    }

    private static String nameIn(Map<String, List<String>> headers, String name) {
        return headers.keySet().stream().filter(name::equals).findFirst().orElseThrow();
    }

    @Test
    void vertxKeepsNoCopyOfTheUpgradeHeadersOnceTheConnectionIsOpen() {
        String user = uniqueUser("vertx-headers");
        WsClient tab = track(WsClient.connect(socketUri(), Map.of("X-User-ID", user)));
        awaitKeyPresent("presence:" + user);

        WebSocketConnection connection = openConnectionOf(user);
        assertTrue(Arc.container()
                .instance(WebSocketTransports.class)
                .get()
                .socketHeaders(connection)
                .isEmpty());
        assertEquals(user, connection.handshakeRequest().header(UpgradeGate.VERIFIED_USER));

        redis().call("PUBLISH", "realtime:user:" + user, "still open");
        assertEquals("still open", tab.next(Duration.ofSeconds(5)));
    }

    private static WebSocketConnection openConnectionOf(String user) {
        return Arc.container().instance(OpenConnections.class).get().stream()
                .filter(open -> user.equals(open.handshakeRequest().header(UpgradeGate.VERIFIED_USER)))
                .findFirst()
                .orElseThrow();
    }
}
