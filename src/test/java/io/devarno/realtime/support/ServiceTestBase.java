package io.devarno.realtime.support;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;

import io.quarkus.test.common.http.TestHTTPResource;

/** What every black-box test needs: the service's URIs, WebSocket clients that are closed after each test, Redis. */
public abstract class ServiceTestBase {

    @TestHTTPResource("/")
    protected URL base;

    private final List<WsClient> clients = new ArrayList<>();
    private RedisCli cli;

    protected URI socketUri() {
        return socketUri("");
    }

    protected URI socketUri(String query) {
        return URI.create(base.toString().replaceFirst("^http", "ws") + "ws" + query);
    }

    /** A client of user {@code userId} (trusted-header mode), closed after the test. */
    protected WsClient connect(String userId) {
        return track(open(userId));
    }

    /** A client of user {@code userId} that also sends {@code headers}, closed after the test. */
    protected WsClient connect(String userId, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("X-User-ID", userId);
        return track(WsClient.connect(socketUri(), all));
    }

    private WsClient open(String userId) {
        return WsClient.connect(socketUri(), Map.of("X-User-ID", userId));
    }

    /** One client per user id, opened 16 at a time, closed after the test. */
    protected List<WsClient> connectInParallel(List<String> userIds) {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<WsClient>> opening = new ArrayList<>();
            for (String userId : userIds) {
                opening.add(pool.submit(() -> open(userId)));
            }
            List<WsClient> opened = new ArrayList<>();
            for (Future<WsClient> client : opening) {
                opened.add(track(client.get()));
            }
            return opened;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("could not open the connections", e);
        } finally {
            pool.shutdownNow();
        }
    }

    protected WsClient track(WsClient client) {
        clients.add(client);
        return client;
    }

    protected RedisCli redis() {
        if (cli == null) {
            cli = new RedisCli("127.0.0.1", Integer.getInteger("test.redis.port"));
        }
        return cli;
    }

    /** A connection of its own to the test's Redis (a subscriber, a client to stall it with); the caller closes it. */
    protected static RedisCli newRedisConnection() {
        return new RedisCli("127.0.0.1", Integer.getInteger("test.redis.port"));
    }

    /** A user id no other test uses, so tests never see each other's state. */
    protected static String uniqueUser(String name) {
        return name + "-" + Long.toHexString(System.nanoTime());
    }

    protected void awaitKeyGone(String key) {
        await().atMost(Duration.ofSeconds(5)).until(() -> redis().number("EXISTS", key) == 0);
    }

    protected void awaitKeyPresent(String key) {
        await().atMost(Duration.ofSeconds(5)).until(() -> redis().number("EXISTS", key) == 1);
    }

    /** Waits until the pod has subscribed to the user's channel, so a publish right after cannot miss it. */
    protected void awaitSubscribed(String userId) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> (Long) redis().list("PUBSUB", "NUMSUB", "realtime:user:" + userId)
                                .get(1)
                        >= 1);
    }

    @AfterEach
    void closeClients() {
        clients.forEach(WsClient::abort);
        clients.clear();
        if (cli != null) {
            cli.close();
            cli = null;
        }
    }
}
