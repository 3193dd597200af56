package io.devarno.realtime.console;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The console enabled, without a browser: the page is served, the presence event stream works. */
@QuarkusTest
@WithRedis
@TestProfile(ConsoleProfile.class)
class ConsoleApiTest extends ServiceTestBase {

    private static final String EVENTS = "/api/v1/realtime/console/presence-events";

    @Test
    void thePageAndItsFilesAreServed() {
        given().redirects().follow(false).get("/console").then().statusCode(302).header("Location", "/console/");
        given().get("/console/")
                .then()
                .statusCode(200)
                .contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("default-src 'none'"))
                .body(containsString("realtime-service"), containsString("console.js"));
        given().get("/console/console.js")
                .then()
                .statusCode(200)
                .contentType(containsString("javascript"))
                .body(containsString("/console/presence-events"));
        given().get("/console/console.css").then().statusCode(200).contentType(containsString("text/css"));
    }

    @Test
    void theEventStreamCarriesPresenceEventsAndUnsubscribesWhenClosed() throws Exception {
        String user = uniqueUser("sse");
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + EVENTS.substring(1)))
                .header("Accept", "text/event-stream")
                .build();
        HttpResponse<Stream<String>> response =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertTrue(
                response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                response.headers().toString());
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(
                () -> {
                    try {
                        response.body().forEach(lines::add);
                    } catch (RuntimeException closed) {
                        // the stream was closed by the test
                    }
                },
                "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            // the pod subscribes to the presence channel while a stream is open
            await().atMost(Duration.ofSeconds(5)).until(() -> presenceSubscribers() >= 1);

            WsClient tab = connect(user);
            String online = awaitData(lines, user);
            assertTrue(online.contains("\"type\":\"presence\"") && online.contains("\"online\":true"), online);

            tab.close();
            tab.awaitClose(Duration.ofSeconds(5));
            String offline = awaitData(lines, user);
            assertTrue(offline.contains("\"online\":false"), offline);
        } finally {
            response.body().close();
        }
        // closing the stream closes the listener: with no listener left the pod unsubscribes
        await().atMost(Duration.ofSeconds(10)).until(() -> presenceSubscribers() == 0);
    }

    @Test
    void theConsoleApiIsNotAffectedByOtherPaths() {
        given().get("/consoles").then().statusCode(404);
        given().get("/api/v1/realtime/connections")
                .then()
                .statusCode(200)
                .body("connections", org.hamcrest.Matchers.notNullValue());
        given().get("/api/v1/realtime/console/nothing-here").then().statusCode(404);
        given().get("/console/missing.js").then().statusCode(404);
        given().get("/console/index.html")
                .then()
                .statusCode(200)
                .body(containsString("<title>realtime-service console</title>"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    private long presenceSubscribers() {
        return (Long) redis().list("PUBSUB", "NUMSUB", "realtime:presence").get(1);
    }

    /** The next {@code data:} line that mentions {@code userId} (heartbeats and other users' events are skipped). */
    private static String awaitData(BlockingQueue<String> lines, String userId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith("data:") && line.contains("\"userId\":\"" + userId + "\"")) {
                return line.substring(5).trim();
            }
        }
        throw new AssertionError("no presence event for " + userId + " within 10 s");
    }
}
