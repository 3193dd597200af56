package io.devarno.realtime.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.vertx.core.MultiMap;

class HandshakeHeadersTest {

    private final HandshakeHeaders handshakeHeaders = new HandshakeHeaders();

    /** Headers as a decoder makes them: fresh strings on every request. */
    private static MultiMap upgrade(String... namesAndValues) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(new String(namesAndValues[i]), new String(namesAndValues[i + 1]));
        }
        return headers;
    }

    private static MultiMap browserUpgrade(String key) {
        return upgrade(
                "Host",
                "rt.example.com",
                "Connection",
                "Upgrade",
                "Upgrade",
                "websocket",
                "Sec-WebSocket-Key",
                key,
                "Sec-WebSocket-Version",
                "13",
                "Origin",
                "https://app.example.com",
                "Cookie",
                "session=secret",
                "Authorization",
                "Bearer abc",
                "X-Forwarded-For",
                "203.0.113.7");
    }

    private MultiMap admitted(MultiMap headers) {
        handshakeHeaders.keepOnlyHandshakeHeaders(headers);
        return headers;
    }

    private static String nameOf(MultiMap headers, String name) {
        return headers.names().stream().filter(name::equals).findFirst().orElseThrow();
    }

    @Test
    void everythingButTheHandshakeHeadersIsDropped() {
        MultiMap headers = browserUpgrade("dGhlIHNhbXBsZSBub25jZQ==");
        handshakeHeaders.keepOnlyHandshakeHeaders(headers);

        assertEquals(
                Map.of(
                        "host",
                        "rt.example.com",
                        "connection",
                        "Upgrade",
                        "upgrade",
                        "websocket",
                        "sec-websocket-key",
                        "dGhlIHNhbXBsZSBub25jZQ==",
                        "sec-websocket-version",
                        "13"),
                headers.entries().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    @Test
    void aHeaderSentTwiceKeepsBothValuesInOrder() {
        MultiMap headers = upgrade("Connection", "keep-alive", "Connection", "Upgrade", "Upgrade", "websocket");
        handshakeHeaders.keepOnlyHandshakeHeaders(headers);

        assertEquals(List.of("keep-alive", "Upgrade"), headers.getAll("connection"));
    }

    @Test
    void keptNamesAreOneLowerCaseInstanceForEveryConnection() {
        MultiMap first = admitted(browserUpgrade("a2V5LW9uZS0xMjM0NTY3OA=="));
        MultiMap second = admitted(browserUpgrade("a2V5LXR3by0xMjM0NTY3OA=="));

        for (String name : List.of("host", "connection", "upgrade", "sec-websocket-key", "sec-websocket-version")) {
            assertSame(HandshakeHeaders.KEPT.get(name), nameOf(first, name), name);
            assertSame(HandshakeHeaders.KEPT.get(name), nameOf(second, name), name);
        }
    }

    @Test
    void equalValuesOfDifferentUpgradesAreOneInstanceButTheKeyIsNot() {
        MultiMap first = admitted(browserUpgrade("a2V5LW9uZS0xMjM0NTY3OA=="));
        MultiMap second = admitted(browserUpgrade("a2V5LW9uZS0xMjM0NTY3OA=="));

        for (String name : List.of("host", "connection", "upgrade", "sec-websocket-version")) {
            assertSame(first.get(name), second.get(name), name);
        }
        assertNotSame(first.get("sec-websocket-key"), second.get("sec-websocket-key"));
    }

    @Test
    void aSubprotocolOfferCarryingATokenIsKeptButNeverCached() {
        String offer = "bearer-token-carrier, quarkus-http-upgrade%23Authorization%23Bearer%20eyJhbGciOi.eyJzdWIi.c2ln";
        MultiMap headers = upgrade("Upgrade", "websocket", "Sec-WebSocket-Protocol", offer);
        handshakeHeaders.keepOnlyHandshakeHeaders(headers);

        assertEquals(offer, headers.get("sec-websocket-protocol"));
        String later = new String(offer);
        assertSame(later, handshakeHeaders.share(later));
    }

    @Test
    void pastTheLimitOfSharedValuesNewOnesAreKeptAsTheyCame() {
        for (int i = 0; i < HandshakeHeaders.MAX_SHARED_VALUES; i++) {
            handshakeHeaders.share("host-" + i);
        }
        String unusual = new String("unusual.example.com");

        assertSame(unusual, handshakeHeaders.share(unusual));
        assertNotSame(unusual, handshakeHeaders.share(new String("unusual.example.com")));
        assertEquals("host-3", handshakeHeaders.share(new String("host-3")));
        assertSame(handshakeHeaders.share("host-3"), handshakeHeaders.share(new String("host-3")));
    }
}
