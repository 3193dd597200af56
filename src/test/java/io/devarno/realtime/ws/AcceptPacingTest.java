package io.devarno.realtime.ws;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import io.devarno.realtime.support.PrometheusText;
import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;

/**
 * Accept pacing (docs/operations.md#reconnect-storms): an event loop takes at most
 * {@code realtime.admission.accepts-per-turn} new connections per turn; the others wait in the kernel's accept queue,
 * seen here in /proc/net/tcp, until the loop has read what it was given. Nothing is refused or lost meanwhile.
 */
@QuarkusTest
@WithRedis
@TestProfile(AcceptPacingTest.TwoPerTurn.class)
@EnabledOnOs(OS.LINUX)
class AcceptPacingTest extends ServiceTestBase {

    private static final int CLIENTS = 10;
    private static final int PER_TURN = 2;

    /** One event loop, so that holding it holds every accepted connection. */
    public static class TwoPerTurn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "realtime.admission.accepts-per-turn",
                    Integer.toString(PER_TURN),
                    "quarkus.vertx.event-loops-pool-size",
                    "1");
        }
    }

    @Inject
    Vertx vertx;

    @Test
    void whileTheEventLoopIsBusyOnlyOneTurnsWorthIsAcceptedAndTheRestWaitInTheKernelThenAllConnect() throws Exception {
        String steadyUser = uniqueUser("steady");
        WsClient steady = connect(steadyUser);
        awaitSubscribed(steadyUser);
        int port = socketUri().getPort();
        assertEquals(0, acceptQueue(port));
        double pausedBefore = acceptPauses();

        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(1);
        vertx.runOnContext(ignored -> {
            held.countDown();
            try {
                release.await(20, TimeUnit.SECONDS); // the event loop is busy, as with a turn of handshakes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(held.await(10, TimeUnit.SECONDS), "the event loop was not held");

        List<Socket> sockets = new ArrayList<>();
        List<String> users = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                String user = uniqueUser("storm" + i);
                Socket socket = new Socket(socketUri().getHost(), port);
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(WsClient.upgradeRequest(socketUri(), Map.of("X-User-ID", user)));
                sockets.add(socket);
                users.add(user);
            }
            // The acceptor thread is free: without pacing it takes all ten at once.
            await().pollDelay(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> acceptQueue(port) == CLIENTS - PER_TURN);
            Thread.sleep(300);
            assertEquals(CLIENTS - PER_TURN, acceptQueue(port), "connections waiting in the accept queue");
        } finally {
            release.countDown();
        }

        for (Socket socket : sockets) {
            assertEquals("HTTP/1.1 101 Switching Protocols", statusLine(socket));
        }
        assertEquals(0, acceptQueue(port));
        for (String user : users) {
            awaitKeyPresent("presence:" + user);
        }
        assertTrue(acceptPauses() >= pausedBefore + (CLIENTS / PER_TURN) - 1, "realtime_accepts_paused_total");

        given().body("{\"after\":\"storm\"}")
                .post("/api/v1/realtime/users/{u}/messages", steadyUser)
                .then()
                .statusCode(202);
        assertEquals("{\"after\":\"storm\"}", steady.next(Duration.ofSeconds(5)));
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private double acceptPauses() {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return PrometheusText.value(text, "realtime_accepts_paused_total");
    }

    private static String statusLine(Socket socket) {
        try {
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1))
                    .readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connections the kernel holds for the listening socket on {@code port} (rx_queue of a LISTEN row). */
    static int acceptQueue(int port) throws IOException {
        String hexPort = String.format(":%04X", port);
        int queued = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            List<String> rows = Files.readAllLines(path);
            for (String line : rows.subList(1, rows.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields[1].endsWith(hexPort) && fields[3].equals("0A")) {
                    queued += Integer.parseInt(fields[4].split(":")[1], 16);
                }
            }
        }
        return queued;
    }
}
