package io.devarno.realtime.auth;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.PrometheusText;
import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A few thousand random and malformed frames, headers and ids thrown at a live instance: it stays healthy,
 * keeps serving a well-behaved client, and leaves no key in Redis for anything it refused.
 */
@QuarkusTest
@WithRedis
class HostileInputTest extends ServiceTestBase {

    private static final Random RANDOM = new Random(42);
    private static final String ALPHABET = "abcXYZ019._:@-*?[] \t\r\n\"'\\{}%\u0000\u0007\u00e9\u2603/#&=+";

    private static String randomText(int maxLength) {
        int length = RANDOM.nextInt(maxLength + 1);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    private Set<String> presenceKeys() {
        List<Object> scan = redis().list("SCAN", "0", "MATCH", "presence:*", "COUNT", "100000");
        Set<String> keys = new java.util.HashSet<>();
        ((List<?>) scan.get(1)).forEach(k -> keys.add(k.toString()));
        return keys;
    }

    @Test
    void randomAndMalformedFramesNeverBreakTheServerOrAWellBehavedClient() {
        String goodUser = uniqueUser("good");
        WsClient good = connect(goodUser);
        List<WsClient> fuzzers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fuzzers.add(connect(uniqueUser("fuzz" + i)));
        }
        String[] shapes = {
            "{",
            "}",
            "[]",
            "null",
            "1e999",
            "{\"type\":null}",
            "{\"type\":\"auth\"}",
            "{\"type\":\"auth\",\"token\":1}",
            "{\"type\":\"ping\",\"type\":\"x\"}",
            "{\"type\":\"" + "x".repeat(5000) + "\"}",
            "\"ping\"",
            "{\"type\":[\"ping\"]}"
        };
        int sent = 0;
        for (int round = 0; round < 2000; round++) {
            WsClient fuzzer = fuzzers.get(round % fuzzers.size());
            if (fuzzer.isClosed()) {
                continue;
            }
            String frame = round % 3 == 0 ? shapes[RANDOM.nextInt(shapes.length)] : randomText(200);
            try {
                fuzzer.send(frame);
                sent++;
            } catch (RuntimeException closed) {
                // a fuzzer over the rate limit is closed with 1008; that is the point
            }
            if (round % 200 == 0) {
                good.send("{\"type\":\"ping\"}");
                assertEquals("{\"type\":\"pong\"}", good.next(), "the well-behaved client is served throughout");
            }
        }
        assertTrue(sent > 100);
        for (WsClient fuzzer : fuzzers) {
            fuzzer.drain()
                    .forEach(answer -> assertTrue(
                            answer.startsWith("{\"type\":\"error\"") || answer.equals("{\"type\":\"pong\"}"), answer));
        }
        given().get("/q/health/ready").then().statusCode(200);
        given().body("still here")
                .post("/api/v1/realtime/users/{u}/messages", goodUser)
                .then()
                .statusCode(202);
        assertEquals("still here", good.next());
    }

    @Test
    void hostileUserIdsAndHeadersAreRefusedAndLeaveNoKeys() {
        Set<String> before = presenceKeys();
        double invalidBefore = rejected("invalid_user_id");
        double unauthorizedBefore = rejected("unauthorized");
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < 1500; i++) {
            String id =
                    switch (i % 5) {
                        case 0 -> "a" + randomText(40) + "*";
                        case 1 -> "x".repeat(129 + RANDOM.nextInt(10_000));
                        case 2 -> "a" + randomText(20) + " b"; // HTTP trims outer spaces, so keep one inside
                        case 3 -> "";
                        default -> "a[" + randomText(10) + "]";
                    };
            int status = rawUpgradeStatus(id);
            assertTrue(status == 400 || status == 401 || status == 431 || status == 414, id.length() + " -> " + status);
            statuses.merge(status, 1, Integer::sum);
        }
        // Each 400 and 401 was the upgrade gate's refusal (431 and 414 come from the HTTP decoder), counted once.
        assertTrue(statuses.getOrDefault(400, 0) > 0, statuses::toString);
        assertEquals(
                statuses.getOrDefault(400, 0), (int) (rejected("invalid_user_id") - invalidBefore), statuses::toString);
        assertEquals(
                statuses.getOrDefault(401, 0),
                (int) (rejected("unauthorized") - unauthorizedBefore),
                statuses::toString);
        await().atMost(Duration.ofSeconds(5)).until(() -> presenceKeys().equals(before));
        assertTrue(presenceKeys().stream().noneMatch(k -> k.contains("*") || k.contains(" ") || k.length() > 200));
    }

    private static double rejected(String reason) {
        return PrometheusText.value(
                given().get("/q/metrics").then().statusCode(200).extract().asString(),
                "realtime_upgrades_rejected_total{reason=\"" + reason + "\"}");
    }

    @Test
    void restCallsWithHostileIdsAre400AndTouchNothing() {
        long keys = redis().number("DBSIZE");
        for (String id : new String[] {"a*b", "a%3F", "%5Bx%5D", "a%20b", "a%0Db", "x".repeat(129), "..%2F..%2Fetc"}) {
            int status = given().urlEncodingEnabled(false)
                    .body("x")
                    .post("/api/v1/realtime/users/" + id + "/messages")
                    .statusCode();
            assertTrue(status == 400 || status == 404, id + " -> " + status);
            int presence = given().urlEncodingEnabled(false)
                    .get("/api/v1/realtime/presence/" + id)
                    .statusCode();
            assertTrue(presence == 400 || presence == 404, id + " -> " + presence);
        }
        assertEquals(keys, redis().number("DBSIZE"));
    }

    @Test
    void upgradesThatNeverCompleteDoNotStopTheServiceFromServing() throws IOException {
        URI uri = socketUri();
        List<Socket> halfOpen = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Socket socket = new Socket(uri.getHost(), uri.getPort());
                OutputStream out = socket.getOutputStream();
                out.write(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nX-User-ID: slow" + i + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                halfOpen.add(socket); // the request is never finished
            }
            String user = uniqueUser("patient");
            WsClient client = connect(user);
            client.send("{\"type\":\"ping\"}");
            assertEquals("{\"type\":\"pong\"}", client.next());
            given().get("/q/health/ready").then().statusCode(200);
        } finally {
            for (Socket socket : halfOpen) {
                socket.close();
            }
        }
    }

    @Test
    void anOversizedUpgradeHeaderIsRefused() {
        int status = rawUpgrade("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "X-Junk: " + "j".repeat(20_000) + "\r\n\r\n");
        assertTrue(status == 431 || status == 400, "status " + status);
        given().get("/q/health/live").then().statusCode(200);
    }

    /** Sends an upgrade with the id in X-User-ID (percent-encoded in the query when not header-safe). */
    private int rawUpgradeStatus(String id) {
        boolean headerSafe = id.chars().allMatch(c -> c >= 0x20 && c < 0x7f) && id.length() < 8000;
        if (headerSafe) {
            return WsClient.rawHandshake(socketUri(), Map.of("X-User-ID", id)).status();
        }
        String query = "?user_id="
                + java.net.URLEncoder.encode(id.length() > 6000 ? id.substring(0, 6000) : id, StandardCharsets.UTF_8);
        return WsClient.rawHandshake(socketUri(query), Map.of()).status();
    }

    private int rawUpgrade(String request) {
        URI uri = socketUri();
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            byte[] head = socket.getInputStream().readNBytes(12);
            String statusLine = new String(head, StandardCharsets.US_ASCII);
            return Integer.parseInt(statusLine.substring(9, 12));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
