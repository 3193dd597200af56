package io.devarno.realtime.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The bound of {@link UpgradeAdmission}: what counts, for how long, and the Retry-After it hands out. */
class UpgradeAdmissionTest {

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final UpgradeAdmission admission =
            new UpgradeAdmission(2, Duration.ofSeconds(1), Duration.ofSeconds(3), nanos::get);

    @Test
    void aConnectionCountsUntilItsPresenceWriteIsAnswered() {
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        admission.track(first);
        assertTrue(admission.admits());
        admission.track(second);
        assertFalse(admission.admits());
        assertEquals(2, admission.inFlight());

        second.complete(null);
        assertEquals(1, admission.inFlight());
        assertTrue(admission.admits());
        first.completeExceptionally(new IllegalStateException("redis said no"));
        assertEquals(0, admission.inFlight());
    }

    @Test
    void aUsersFirstTabCountsUntilBothItsPresenceWriteAndItsSubscriptionAreAnswered() {
        CompletableFuture<Void> presence = new CompletableFuture<>();
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        admission.track(presence, subscribed);
        assertEquals(1, admission.inFlight());
        presence.complete(null);
        assertEquals(1, admission.inFlight(), "the subscription is not confirmed yet");
        subscribed.complete(null);
        assertEquals(0, admission.inFlight());

        CompletableFuture<Void> laterPresence = new CompletableFuture<>();
        admission.track(laterPresence, new CompletableFuture<Void>());
        admission.track(CompletableFuture.completedFuture(null), new CompletableFuture<Void>());
        admission.track(new CompletableFuture<Void>(), null); // a further tab: no subscription of its own
        assertEquals(3, admission.inFlight());
        admission.track(CompletableFuture.completedFuture(null), CompletableFuture.completedFuture(null));
        admission.track(CompletableFuture.completedFuture(null), null);
        assertEquals(3, admission.inFlight());
    }

    @Test
    void anAlreadyAnsweredWriteIsNotCounted() {
        admission.track(CompletableFuture.completedFuture(null));
        assertEquals(0, admission.inFlight());
    }

    @Test
    void anUnansweredWriteStopsCountingAfterTheRedisTimeout() {
        admission.track(new CompletableFuture<>());
        nanos.addAndGet(500_000_000L);
        admission.track(new CompletableFuture<>());
        admission.sweep();
        assertEquals(2, admission.inFlight());

        nanos.addAndGet(500_000_000L); // the first is 1 s old, the second 0.5 s
        admission.sweep();
        assertEquals(1, admission.inFlight());
        nanos.addAndGet(500_000_000L);
        admission.sweep();
        assertEquals(0, admission.inFlight());
        assertTrue(admission.admits());
    }

    @Test
    void anAnswerAfterTheTimeoutIsNotSubtractedTwice() {
        CompletableFuture<Void> late = new CompletableFuture<>();
        admission.track(late);
        nanos.addAndGet(1_000_000_000L);
        admission.sweep();
        admission.track(new CompletableFuture<>());
        late.complete(null);
        assertEquals(1, admission.inFlight());
    }

    @Test
    void retryAfterIsSpreadBetweenTheSettingAndTwiceIt() {
        boolean[] seen = new boolean[7];
        for (int i = 0; i < 1000; i++) {
            long seconds = admission.retryAfterSeconds();
            assertTrue(seconds >= 3 && seconds <= 6, "Retry-After " + seconds);
            seen[(int) seconds] = true;
        }
        assertTrue(seen[3] && seen[4] && seen[5] && seen[6]);
    }
}
