package io.devarno.realtime.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.devarno.realtime.support.ServiceTestBase;
import io.devarno.realtime.support.WithRedis;
import io.devarno.realtime.support.WsClient;
import io.devarno.realtime.transport.RedisChannels;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The pod's pub/sub connection reads in batches under load ({@link ReadBatching}, default window 2 ms), on the
 * real Quarkus/Vert.x Redis client: its channel is found, reading does pause, and nothing is lost or reordered.
 */
@QuarkusTest
@WithRedis
class SubscriberReadBatchingTest extends ServiceTestBase {

    @Inject
    RedisBroker broker;

    @Inject
    RedisChannels channels;

    @Test
    void theChannelUnderTheSubscriberConnectionIsFound() {
        assertTrue(channels.available(), "the Quarkus/Vert.x Redis connection classes have the expected fields");
        await().atMost(Duration.ofSeconds(5)).until(broker::isConnected);
        assertNotNull(broker.subscriberReads(), "channel under the subscriber connection");
    }

    @Test
    void aStreamPublishedStraightIntoRedisArrivesCompleteAndInOrderWhileReadsArePaused() {
        String user = uniqueUser("stream");
        WsClient tab = connect(user);
        awaitSubscribed(user);
        long pausesBefore = broker.readBatching().pauses();

        // Bursts of 20 back to back (one script each) until the pod has measured a fast stream and paused.
        AtomicInteger published = new AtomicInteger();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    int from = published.getAndAdd(20);
                    redis().call(
                                    "EVAL",
                                    "for i = ARGV[1], ARGV[1] + 19 do redis.call('PUBLISH', KEYS[1], 'm' .. i) end",
                                    "1",
                                    "realtime:user:" + user,
                                    String.valueOf(from));
                    return broker.readBatching().pauses() > pausesBefore;
                });

        for (int i = 0; i < published.get(); i++) {
            assertEquals("m" + i, tab.next());
        }
    }
}
