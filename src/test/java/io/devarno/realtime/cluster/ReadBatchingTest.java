package io.devarno.realtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.devarno.realtime.transport.ChannelReadSwitch;
import io.devarno.realtime.transport.ReadSwitch;
import io.netty.channel.embedded.EmbeddedChannel;

/** The policy of {@link ReadBatching}, on a Netty channel whose clock the test moves. */
class ReadBatchingTest {

    private static final long WINDOW = TimeUnit.MILLISECONDS.toNanos(1);

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ReadSwitch reads = new ChannelReadSwitch(channel);
    private long now = 1_000_000_000L;

    @BeforeEach
    void freezeTheChannelsClock() {
        channel.freezeTime();
    }

    private ReadBatching batching(long window) {
        return new ReadBatching(window, () -> reads, () -> now);
    }

    private void advance(long nanos) {
        now += nanos;
        channel.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    /** Messages at a steady pace: one every {@code WINDOW / perWindow}. */
    private void stream(ReadBatching batching, int perWindow, int windows) {
        for (int i = 0; i < perWindow * windows; i++) {
            batching.onMessage();
            advance(WINDOW / perWindow);
        }
    }

    @Test
    void messagesAtTwoPerWindowAreNeverPaused() {
        ReadBatching batching = batching(WINDOW);
        stream(batching, 2, 20);
        assertTrue(channel.config().isAutoRead());
        assertEquals(0, batching.pauses());
    }

    @Test
    void aStreamOfThreePerWindowIsPaused() {
        ReadBatching batching = batching(WINDOW);
        stream(batching, 3, 8);
        assertTrue(batching.pauses() > 0);
    }

    @Test
    void aFastStreamIsPausedOncePerWindowAfterFourWindowsMeasured() {
        ReadBatching batching = batching(WINDOW);
        stream(batching, 4, 4);
        assertEquals(0, batching.pauses(), "the first four windows only measure");
        stream(batching, 4, 6);
        assertEquals(6, batching.pauses());
    }

    @Test
    void aPauseStopsReadingForOneWindow() {
        ReadBatching batching = batching(WINDOW);
        stream(batching, 10, 4);
        batching.onMessage();
        assertFalse(channel.config().isAutoRead());

        advance(WINDOW - 1);
        assertFalse(channel.config().isAutoRead(), "still within the window");
        advance(1);
        assertTrue(channel.config().isAutoRead(), "reading again after one window");
    }

    @Test
    void messagesTakenInOneReadAfterAPauseDoNotExtendIt() {
        ReadBatching batching = batching(WINDOW);
        stream(batching, 10, 4);
        long before = batching.pauses();
        for (int i = 0; i < 10; i++) {
            batching.onMessage();
        }
        assertEquals(before + 1, batching.pauses());
        advance(WINDOW);
        assertTrue(channel.config().isAutoRead());
    }

    @Test
    void whenTheStreamSlowsDownReadingIsNoLongerPaused() {
        ReadBatching batching = batching(WINDOW);
        stream(batching, 10, 8);
        long whileFast = batching.pauses();
        assertTrue(whileFast > 0);

        stream(batching, 1, 8);
        long afterSlowingDown = batching.pauses();
        stream(batching, 1, 8);
        assertEquals(afterSlowingDown, batching.pauses(), "no pause once a measured period was slow");
    }

    @Test
    void aMessageAfterALongSilenceIsNotPaused() {
        ReadBatching batching = batching(WINDOW);
        stream(batching, 10, 8);
        long before = batching.pauses();
        advance(WINDOW * 100);
        batching.onMessage();
        assertEquals(before, batching.pauses());
        assertTrue(channel.config().isAutoRead());
    }

    @Test
    void aZeroWindowNeverPauses() {
        ReadBatching batching = batching(0);
        for (int i = 0; i < 100; i++) {
            batching.onMessage();
        }
        assertTrue(channel.config().isAutoRead());
        assertEquals(0, batching.pauses());
    }

    @Test
    void aConnectionWhoseChannelCannotBeFoundIsReadAsBefore() {
        ReadBatching batching = new ReadBatching(WINDOW, () -> null, () -> now);
        stream(batching, 10, 8);
        assertEquals(0, batching.pauses());
    }

    @Test
    void theChannelIsLookedUpOnceWhileItStaysOpen() {
        int[] lookups = {0};
        ReadBatching batching = new ReadBatching(
                WINDOW,
                () -> {
                    lookups[0]++;
                    return reads;
                },
                () -> now);
        stream(batching, 10, 8);
        assertTrue(batching.pauses() > 1);
        assertEquals(1, lookups[0]);
    }
}
