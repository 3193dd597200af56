package io.devarno.realtime.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.RedisCli;
import io.devarno.realtime.support.RedisProcess;
import io.devarno.realtime.support.ServiceProcess;
import io.devarno.realtime.support.V2;
import io.devarno.realtime.support.V2Tab;

/**
 * Protocol v2 (docs/protocol.md#protocol-v2-history-and-recovery) across two instances of the packaged service: the
 * race between a recovering connection and the messages published while it reads history, and a drain (deploy) that
 * loses nothing.
 */
class HistoryRecoveryIT {

    private static final String KEPT = "5000";
    private static RedisProcess redis;
    private static ServiceProcess podA;
    private static ServiceProcess podB;
    private static RedisCli cli;

    @BeforeAll
    static void startPods() {
        redis = new RedisProcess().start();
        cli = redis.cli();
        // Dropped connections are noticed by the server a little later: room for them while the tab comes back.
        Map<String, String> settings = Map.of("realtime.history.size", KEPT, "realtime.max-connections-per-user", "64");
        podA = ServiceProcess.start("pod-a", redis, settings);
        podB = ServiceProcess.start("pod-b", redis, settings);
    }

    @AfterAll
    static void stopPods() {
        podA.close();
        podB.close();
        cli.close();
        redis.stop();
    }

    private static String user(String name) {
        return name + "-" + Long.toHexString(System.nanoTime());
    }

    /** Publishers that run until stopped, each in its own thread; {@code publish} gets the publisher's sequence number. */
    private static final class Publishers implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicInteger published = new AtomicInteger();

        void start(String name, IntConsumer publish) {
            Thread thread = new Thread(
                    () -> {
                        for (int i = 0; !stop.get(); i++) {
                            publish.accept(i);
                            published.incrementAndGet();
                            sleep(2);
                        }
                    },
                    name);
            thread.start();
            threads.add(thread);
        }

        int published() {
            return published.get();
        }

        @Override
        public void close() {
            stop.set(true);
            for (Thread thread : threads) {
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void restPublish(ServiceProcess pod, String user, String payload) {
        int status = pod.post("/api/v1/realtime/users/" + user + "/messages", payload)
                .statusCode();
        if (status != 202) {
            throw new AssertionError("publish through " + pod.podId() + " answered " + status);
        }
    }

    private static String recordScript() {
        try {
            return Files.readString(Path.of("src/main/resources/lua/history-record.lua"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aTabReconnectingOverAndOverWhilePublishersNeverStopSeesEveryOffsetOnceAndInOrder() {
        String user = user("race");
        V2Tab tab = new V2Tab(user);
        tab.connect(podA.socket());
        assertTrue(tab.awaitWelcome(Duration.ofSeconds(10)));
        assertEquals(0, tab.userOffset(), "a new stream starts at 0");

        String script = recordScript();
        String keys = "{realtime:user:" + user + "}";
        try (Publishers publishers = new Publishers();
                RedisCli scripting = redis.cli()) {
            publishers.start("rest-a", i -> restPublish(podA, user, "a" + i));
            publishers.start("rest-b", i -> restPublish(podB, user, "b" + i));
            publishers.start(
                    "script",
                    i -> scripting.call(
                            "EVAL",
                            script,
                            "2",
                            keys + ":history",
                            keys + ":meta",
                            "s" + i,
                            KEPT,
                            "600000",
                            "PUBLISH"));
            for (int reconnect = 0; reconnect < 40; reconnect++) {
                tab.drop();
                tab.connect((reconnect % 2 == 0 ? podB : podA).socket());
                if (reconnect % 3 != 0) { // else it may be dropped before its welcome, as a flaky network would
                    assertTrue(tab.awaitWelcome(Duration.ofSeconds(10)), tab.log());
                }
                tab.read(Duration.ofMillis(ThreadLocalRandom.current().nextInt(10, 200)));
            }
            assertTrue(publishers.published() > 200, "publishers kept publishing: " + publishers.published());
        }
        long top = Long.parseLong(cli.string("HGET", keys + ":meta", "top"));
        assertTrue(tab.readUntilUserOffset(top, Duration.ofSeconds(20)), "reached " + tab.userOffset() + " of " + top);
        tab.read(Duration.ofMillis(300));
        tab.close();

        assertEquals(List.of(), tab.problems());
        assertEquals(
                LongStream.rangeClosed(1, top).boxed().toList(),
                tab.userOffsets(),
                "every offset exactly once, in order, over 41 connections:" + tab.log());
        assertTrue(
                tab.welcomes().size() >= 27,
                "recovered many times: " + tab.welcomes().size());
        assertTrue(
                tab.welcomes().stream().skip(1).allMatch(welcome -> welcome.user()
                        .recovered()),
                "every reconnect recovered: " + tab.welcomes());
        List<Long> broadcasts = tab.broadcastOffsets();
        for (int i = 1; i < broadcasts.size(); i++) {
            assertTrue(broadcasts.get(i) > broadcasts.get(i - 1), "broadcast offsets increase: " + broadcasts);
        }
    }

    @Test
    void plainPublishOnAV2ConnectionArrivesUnrecordedInItsEnvelope() {
        String user = user("plain");
        V2Tab tab = new V2Tab(user);
        tab.connect(podB.socket());
        assertTrue(tab.awaitWelcome(Duration.ofSeconds(10)));
        cli.call("PUBLISH", "realtime:user:" + user, "plain-1");
        tab.read(Duration.ofMillis(500));
        tab.close();
        assertEquals(List.of("plain-1"), tab.unrecorded());
        assertEquals(List.of(), tab.userOffsets());
        assertEquals(V2.unrecorded("user", "x"), "{\"type\":\"message\",\"stream\":\"user\",\"data\":\"x\"}");
    }
}
