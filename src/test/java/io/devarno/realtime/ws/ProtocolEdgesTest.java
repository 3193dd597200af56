package io.devarno.realtime.ws;

import static io.devarno.realtime.support.RawWebSocket.BINARY;
import static io.devarno.realtime.support.RawWebSocket.CLOSE;
import static io.devarno.realtime.support.RawWebSocket.CONTINUATION;
import static io.devarno.realtime.support.RawWebSocket.FIN;
import static io.devarno.realtime.support.RawWebSocket.PING;
import static io.devarno.realtime.support.RawWebSocket.PONG;
import static io.devarno.realtime.support.RawWebSocket.RSV1;
import static io.devarno.realtime.support.RawWebSocket.TEXT;
import static io.devarno.realtime.support.RawWebSocket.closePayload;
import static io.devarno.realtime.support.RawWebSocket.frame;
import static io.devarno.realtime.support.RawWebSocket.utf8;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.RawWebSocket;
import io.devarno.realtime.support.RawWebSocket.Ending;
import io.devarno.realtime.support.RedisTestResource;
import io.devarno.realtime.support.ServiceTestBase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * RFC 6455's edges, probed with raw frames over a plain socket (docs/protocol.md, "Close codes"): every violation
 * gets its close frame, then a clean TCP close (no reset that a browser would report as 1006). The test profile's
 * realtime.max-client-frame-size is the default 16K, its realtime.max-message-size 64K.
 */
@QuarkusTest
@QuarkusTestResource(RedisTestResource.class)
class ProtocolEdgesTest extends ServiceTestBase {

    private static final int MAX_CLIENT_MESSAGE = 16 * 1024;

    private RawWebSocket open() {
        return RawWebSocket.open(socketUri(), Map.of("X-User-ID", uniqueUser("raw")));
    }

    private Ending send(byte[]... frames) {
        try (RawWebSocket socket = open()) {
            Arrays.stream(frames).forEach(socket::send);
            return socket.awaitEnding();
        }
    }

    private static void assertClosedWith(int code, String reason, Ending ending) {
        assertEquals(
                code + " " + reason + " then eof",
                ending.code() + " "
                        + (ending.close() == null
                                ? "(no close frame)"
                                : ending.close().closeReason()) + " then " + ending.transport());
    }

    private static void assertProtocolError(Ending ending) {
        assertClosedWith(1002, "protocol error", ending);
    }

    @Test
    void aTextFrameThatIsNotUtf8ClosesWith1007() {
        byte[] payload = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}'};
        assertClosedWith(1007, "invalid UTF-8 in a text message", send(frame(FIN | TEXT, payload)));
    }

    @Test
    void anEncodedSurrogateIsNotUtf8() {
        byte[] payload = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'};
        assertClosedWith(1007, "invalid UTF-8 in a text message", send(frame(FIN | TEXT, payload)));
    }

    @Test
    void aTextMessageEndingInsideACodePointClosesWith1007() {
        byte[] start = utf8("{\"type\":\"ping\",\"x\":\"");
        byte[] end = {'"', '}', (byte) 0xE2, (byte) 0x82};
        assertClosedWith(
                1007, "invalid UTF-8 in a text message", send(frame(TEXT, start), frame(FIN | CONTINUATION, end)));
    }

    @Test
    void aCodePointSplitAcrossFragmentsIsValid() {
        byte[] euro = utf8("€"); // E2 82 AC
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        first.writeBytes(utf8("{\"type\":\"ping\",\"x\":\""));
        first.write(euro[0]);
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        second.write(euro[1]);
        second.write(euro[2]);
        second.writeBytes(utf8("\"}"));
        try (RawWebSocket socket = open()) {
            socket.send(frame(TEXT, first.toByteArray())).send(frame(FIN | CONTINUATION, second.toByteArray()));
            assertEquals("{\"type\":\"pong\"}", socket.next(TEXT).text());
        }
    }

    @Test
    void controlFramesInsideAFragmentedMessageAreAnsweredAndTheMessageStillArrives() {
        try (RawWebSocket socket = open()) {
            socket.send(frame(TEXT, utf8("{\"type\":")))
                    .send(frame(FIN | PING, utf8("between")))
                    .send(frame(CONTINUATION, utf8("\"pi")))
                    .send(frame(FIN | PONG, utf8("unsolicited")))
                    .send(frame(FIN | CONTINUATION, utf8("ng\"}")));
            assertEquals("between", socket.next(PONG).text());
            assertEquals("{\"type\":\"pong\"}", socket.next(TEXT).text());
        }
    }

    @Test
    void anUnmaskedClientFrameClosesWith1002() {
        assertProtocolError(send(frame(FIN | TEXT, utf8("{\"type\":\"ping\"}"), false)));
    }

    @Test
    void aReservedDataOpcodeClosesWith1002() {
        assertProtocolError(send(frame(FIN | 0x3, utf8("x"))));
    }

    @Test
    void aReservedControlOpcodeClosesWith1002() {
        assertProtocolError(send(frame(FIN | 0xB, utf8("x"))));
    }

    @Test
    void rsv1WithoutANegotiatedExtensionClosesWith1002() {
        assertProtocolError(send(frame(FIN | RSV1 | TEXT, utf8("{\"type\":\"ping\"}"))));
    }

    @Test
    void aControlFrameOver125BytesClosesWith1002() {
        assertProtocolError(send(frame(FIN | PING, new byte[126])));
    }

    @Test
    void aFragmentedControlFrameClosesWith1002() {
        assertProtocolError(send(frame(PING, utf8("x"))));
    }

    @Test
    void closeCode999ClosesWith1002() {
        assertProtocolError(send(frame(FIN | CLOSE, closePayload(999, "bad"))));
    }

    @Test
    void aContinuationWithoutAStartClosesWith1002() {
        assertProtocolError(send(frame(FIN | CONTINUATION, utf8("{}"))));
    }

    @Test
    void aNewMessageInsideAFragmentedOneClosesWith1002() {
        assertProtocolError(send(frame(TEXT, utf8("{")), frame(FIN | TEXT, utf8("{}"))));
    }

    @Test
    void aSingleFrameOverTheClientLimitClosesWith1009() {
        assertClosedWith(1009, "message too big", send(frame(FIN | TEXT, new byte[MAX_CLIENT_MESSAGE + 1])));
    }

    @Test
    void aSingleFrameOverMaxMessageSizeStillGetsTheCloseFrame1009AndNoReset() {
        byte[] huge = new byte[1024 * 1024];
        Arrays.fill(huge, (byte) 'x');
        assertClosedWith(1009, "message too big", send(frame(FIN | TEXT, huge)));
    }

    @Test
    void aFragmentedMessageOverTheClientLimitClosesWith1009() {
        byte[] part = new byte[MAX_CLIENT_MESSAGE / 2];
        Arrays.fill(part, (byte) 'x');
        assertClosedWith(
                1009,
                "message too big",
                send(frame(TEXT, part), frame(CONTINUATION, part), frame(FIN | CONTINUATION, utf8("x"))));
    }

    @Test
    void aMessageAtTheClientLimitSplitInFragmentsIsAccepted() {
        String message = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(MAX_CLIENT_MESSAGE - 24) + "\"}";
        assertEquals(MAX_CLIENT_MESSAGE, message.length());
        byte[] bytes = utf8(message);
        try (RawWebSocket socket = open()) {
            socket.send(frame(TEXT, Arrays.copyOfRange(bytes, 0, 10_000)))
                    .send(frame(FIN | CONTINUATION, Arrays.copyOfRange(bytes, 10_000, bytes.length)));
            assertEquals("{\"type\":\"pong\"}", socket.next(TEXT).text());
        }
    }

    @Test
    void aBinaryFrameIsStillClosedWith1003() {
        assertClosedWith(1003, "binary frames are not supported", send(frame(FIN | BINARY, new byte[] {1, 2, 3})));
    }

    @Test
    void aViolatingConnectionIsReleasedAndCountedWithItsReason() {
        String user = uniqueUser("violator");
        double before = closedWith("protocol_error");
        try (RawWebSocket socket = RawWebSocket.open(socketUri(), Map.of("X-User-ID", user))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> hasConnection(user));
            socket.send(frame(FIN | TEXT, utf8("{}"), false));
            assertProtocolError(socket.awaitEnding());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !hasConnection(user));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertEquals(
                        before + 1,
                        closedWith("protocol_error"),
                        "client: " + closedWith("client") + ", error: " + closedWith("error")));
    }

    private static boolean hasConnection(String user) {
        return given().get("/api/v1/realtime/connections")
                .then()
                .statusCode(200)
                .extract()
                .asString()
                .contains("\"" + user + "\"");
    }

    private static double closedWith(String reason) {
        String series = "realtime_connections_closed_total{reason=\"" + reason + "\"} ";
        return given().get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString()
                .lines()
                .filter(line -> line.startsWith(series))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length())))
                .findFirst()
                .orElse(Double.NaN);
    }
}
