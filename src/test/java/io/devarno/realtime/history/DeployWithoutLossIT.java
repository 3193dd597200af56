package io.devarno.realtime.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.RedisCli;
import io.devarno.realtime.support.RedisProcess;
import io.devarno.realtime.support.ServiceProcess;
import io.devarno.realtime.support.V2Tab;
import io.devarno.realtime.support.WsClient;

/**
 * "A rolling deploy loses nothing" (docs/protocol.md#protocol-v2-history-and-recovery): v2 tabs on pod A, messages
 * published through pod B without pause, A drained by SIGTERM; every tab reconnects to B with its positions and gets
 * every message once, in order, with {@code recovered} true. Plain PUBLISH on the same run is at most once (no
 * history), as documented.
 */
class DeployWithoutLossIT {

    private static final int USERS = 8;
    private static final int TABS_PER_USER = 2;
    private RedisProcess redis;
    private ServiceProcess podA;
    private ServiceProcess podB;

    @AfterEach
    void stop() {
        podA.close();
        podB.close();
        redis.stop();
    }

    @Test
    void drainingAPodLosesNothingForTabsThatComeBackWithTheirPositions() throws InterruptedException {
        redis = new RedisProcess().start();
        Map<String, String> settings =
                Map.of("realtime.history.size", "2000", "realtime.max-connections-per-user", "16");
        podA = ServiceProcess.start("pod-a", redis, settings);
        podB = ServiceProcess.start("pod-b", redis, settings);
        String run = Long.toHexString(System.nanoTime());
        List<String> users = new ArrayList<>();
        List<V2Tab> tabs = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            String user = "deploy-" + run + "-" + u;
            users.add(user);
            for (int t = 0; t < TABS_PER_USER; t++) {
                V2Tab tab = new V2Tab(user);
                tab.connect(podA.socket());
                assertTrue(tab.awaitWelcome(Duration.ofSeconds(10)), tab.log());
                tabs.add(tab);
            }
        }

        AtomicBoolean stop = new AtomicBoolean();
        Map<String, List<String>> plainPublished = new ConcurrentHashMap<>();
        Thread rest = new Thread(
                () -> {
                    for (int i = 0; !stop.get(); i++) {
                        String user = users.get(i % USERS);
                        int status = podB.post("/api/v1/realtime/users/" + user + "/messages", "r" + i)
                                .statusCode();
                        if (status != 202) {
                            throw new AssertionError("REST publish through pod B answered " + status);
                        }
                        sleep(3);
                    }
                },
                "rest-through-b");
        Thread plain = new Thread(
                () -> {
                    try (RedisCli cli = redis.cli()) {
                        for (int i = 0; !stop.get(); i++) {
                            String user = users.get(i % USERS);
                            cli.call("PUBLISH", "realtime:user:" + user, "plain" + i);
                            plainPublished
                                    .computeIfAbsent(user, u -> new CopyOnWriteArrayList<>())
                                    .add("plain" + i);
                            sleep(10);
                        }
                    }
                },
                "plain-publish");
        List<WsClient.Close> closes = new CopyOnWriteArrayList<>();
        List<Thread> drivers = new ArrayList<>();
        for (V2Tab tab : tabs) {
            Thread driver = new Thread(
                    () -> {
                        while (!stop.get()) {
                            tab.read(Duration.ofMillis(50));
                            if (tab.isClosed()) {
                                closes.add(tab.closeStatus());
                                tab.connect(podB.socket()); // as a client would, with its positions
                                tab.awaitWelcome(Duration.ofSeconds(10));
                            }
                        }
                    },
                    "tab-" + tab.user());
            driver.start();
            drivers.add(driver);
        }
        rest.start();
        plain.start();
        Thread.sleep(1000);
        podA.terminate();
        int exit = podA.waitFor(Duration.ofSeconds(15));
        assertTrue(exit == 0 || exit == 143, "pod A exited after its drain: " + exit);
        Thread.sleep(1500);
        stop.set(true);
        rest.join(10_000);
        plain.join(10_000);
        for (Thread driver : drivers) {
            driver.join(20_000);
        }

        try (RedisCli cli = redis.cli()) {
            for (V2Tab tab : tabs) {
                long top = Long.parseLong(cli.string("HGET", "{realtime:user:" + tab.user() + "}:meta", "top"));
                assertTrue(tab.readUntilUserOffset(top, Duration.ofSeconds(10)), tab.log());
                tab.read(Duration.ofMillis(200));
                tab.close();
                long start = tab.welcomes().get(0).user().offset();
                assertEquals(List.of(), tab.problems(), tab.user());
                assertEquals(
                        LongStream.rangeClosed(start + 1, top).boxed().toList(),
                        tab.userOffsets(),
                        "every message of " + tab.user() + " once, in order:" + tab.log());
                assertEquals(2, tab.welcomes().size(), "one reconnect, to pod B: " + tab.log());
                assertTrue(tab.welcomes().get(1).user().recovered(), tab.log());

                List<String> published = plainPublished.getOrDefault(tab.user(), List.of());
                List<String> received = tab.unrecorded();
                assertEquals(received.size(), new HashSet<>(received).size(), "plain PUBLISH: never twice");
                assertTrue(published.containsAll(received), "plain PUBLISH: only what was published");
                assertEquals(
                        received, published.stream().filter(received::contains).toList(), "plain PUBLISH: in order");
            }
        }
        assertEquals(USERS * TABS_PER_USER, closes.size(), "every tab on A was closed once: " + closes);
        assertTrue(closes.stream().allMatch(close -> close.code() == 1001), "drained with 1001: " + closes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
