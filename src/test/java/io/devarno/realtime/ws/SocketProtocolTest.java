package io.devarno.realtime.ws;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;

/** docs/protocol.md#frames: frames, heartbeat and limits on one connection. */
@QuarkusTest
@WithRedis
class SocketProtocolTest extends ServiceTestBase {

    @Test
    void anAppLevelPingIsAnsweredWithPong() {
        WsClient tab = connect(uniqueUser("ping"));
        tab.send("{\"type\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", tab.next());
    }

    @Test
    void textThatIsNotJsonGetsABadRequestErrorAndTheConnectionStaysOpen() {
        WsClient tab = connect(uniqueUser("garbage"));
        tab.send("hello?");
        assertTrue(tab.next().matches("\\{\"type\":\"error\",\"code\":\"bad_request\",\"message\":\".+\"}"));
        tab.send("{\"type\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", tab.next());
    }

    @Test
    void anUnknownFrameTypeGetsABadRequestError() {
        WsClient tab = connect(uniqueUser("unknown"));
        for (String frame : List.of("{\"type\":\"subscribe\"}", "{}", "[1,2]", "{\"type\":7}")) {
            tab.send(frame);
            assertTrue(tab.next().startsWith("{\"type\":\"error\",\"code\":\"bad_request\""), frame);
        }
        assertTrue(!tab.isClosed());
    }

    @Test
    void aBinaryFrameClosesWith1003() {
        WsClient tab = connect(uniqueUser("binary"));
        tab.sendBinary(new byte[] {1, 2, 3});
        assertEquals(1003, tab.awaitClose(Duration.ofSeconds(5)).code());
    }

    @Test
    void aClientFrameOverTheMaxClientFrameSizeClosesWith1009() {
        WsClient tab = connect(uniqueUser("big"));
        tab.send("x".repeat(16 * 1024 + 1)); // realtime.max-client-frame-size: 16K by default
        assertEquals(new WsClient.Close(1009, "message too big"), tab.awaitClose(Duration.ofSeconds(5)));
    }

    @Test
    void aBrowserSendingAnOversizedMessageAsOneFrameGetsTheCloseFrame1009() {
        WsClient.Close close = WsClient.sendOneFrameRaw(
                socketUri(), Map.of("X-User-ID", uniqueUser("oneframe")), "x".repeat(40 * 1024));
        assertEquals(new WsClient.Close(1009, "message too big"), close);
    }

    @Test
    void aClientFrameAtTheMaxClientFrameSizeIsAccepted() {
        WsClient tab = connect(uniqueUser("edge"));
        String frame = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(16 * 1024 - 24) + "\"}";
        assertEquals(16 * 1024, frame.length());
        tab.send(frame);
        assertEquals("{\"type\":\"pong\"}", tab.next());
    }

    @Test
    void aPeerThatAnswersNoPingIsClosedAfterThePongTimeout() {
        String user = uniqueUser("silent");
        WsClient silent = track(WsClient.connect(socketUri(), Map.of("X-User-ID", user), List.of(), false));
        awaitKeyPresent("presence:" + user);

        // pong-timeout is 3 s in the tests; the closed connection's presence goes with it
        awaitKeyGone("presence:" + user);
        silent.resumeReading(100);
        WsClient.Close close = silent.awaitClose(Duration.ofSeconds(5));
        assertEquals(1001, close.code());
        assertEquals("pong timeout", close.reason());
    }

    /**
     * More silent peers than one heartbeat slice handles (Heartbeat.SLICE_ACTIONS): the pass goes on in later slices
     * and reaches every one of them.
     */
    @Test
    void thePongTimeoutReachesEverySilentPeerBeyondOneSlice() throws Exception {
        int peers = 3 * Heartbeat.SLICE_ACTIONS + 8;
        List<String> users = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < peers; i++) {
                String user = uniqueUser("silent" + i);
                Socket socket = new Socket(socketUri().getHost(), socketUri().getPort());
                socket.getOutputStream().write(WsClient.upgradeRequest(socketUri(), Map.of("X-User-ID", user)));
                sockets.add(socket); // never read: no pong ever goes back
                users.add(user);
                await().pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(5))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> redis().number("EXISTS", "presence:" + user) == 1);
            }
            // pong-timeout is 3 s in the tests; each closed connection's presence goes with it
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> users.stream().allMatch(user -> redis().number("EXISTS", "presence:" + user) == 0));
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void aClientThatAnswersPingsStaysConnectedPastThePongTimeout() {
        WsClient tab = connect(uniqueUser("alive"));
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> true);
        assertTrue(!tab.isClosed());
        tab.send("{\"type\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", tab.next());
    }

    @Test
    void aFloodOfFramesOverTheRateLimitClosesWith1008() {
        WsClient tab = connect(uniqueUser("flood"));
        for (int i = 0; i < 200 && !tab.isClosed(); i++) {
            try {
                tab.send("{\"type\":\"ping\"}");
            } catch (RuntimeException closedMeanwhile) {
                break;
            }
        }
        WsClient.Close close = tab.awaitClose(Duration.ofSeconds(5));
        assertEquals(1008, close.code());
        assertEquals("rate limit exceeded", close.reason());
    }

    @Test
    void aUserOverTheConnectionLimitIsRefusedWith429() {
        String user = uniqueUser("many");
        for (int i = 0; i < 4; i++) { // realtime.max-connections-per-user=4 in the tests
            connect(user);
        }
        WsClient.Rejection rejection = WsClient.reject(socketUri(), Map.of("X-User-ID", user));
        assertEquals(429, rejection.status());
    }

    @Test
    void anotherUserIsNotLimitedByTheFirstUsersConnections() {
        String user = uniqueUser("many2");
        for (int i = 0; i < 4; i++) {
            connect(user);
        }
        WsClient other = connect(uniqueUser("other"));
        other.send("{\"type\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", other.next());
    }
}
