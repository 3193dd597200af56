package io.devarno.realtime.cluster;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.devarno.realtime.transport.ReadSwitch;

/**
 * Lets the pod's pub/sub connection take messages in batches when they come fast. While messages arrive at three
 * or more per window (measured over the last four windows), reading stops for a window after each message read:
 * what Redis sends meanwhile waits in the socket and is then taken in one read and fanned out in one batch (one
 * wake-up of the event loop, and each event loop's connections written and flushed together, instead of once per
 * message). Under load a message waits at most one window; below that rate nothing is delayed.
 * <p>
 * Why: on a small pod most of the CPU per delivery is the kernel's, and a large part of it is the event loop
 * waking up for each message Redis sends. At 5,000 messages/s a 2 ms window cut the CPU per delivery by about a
 * quarter (docs/benchmarks.md). A pause costs about as much as a wake-up (the timer, and turning reads off and on),
 * so it only pays when it gathers several messages: hence the rate threshold, measured over four windows so that
 * a chance cluster of messages at a low rate does not trigger it.
 * <p>
 * Not thread-safe: called on the connection's event loop only; the resume runs there too.
 */
final class ReadBatching {

    static final int MESSAGES_PER_WINDOW = 3;
    static final int WINDOWS_MEASURED = 4;

    private final long windowNanos;
    private final long periodNanos;
    private final Supplier<ReadSwitch> readsLookup;
    private final LongSupplier nanoTime;
    private ReadSwitch reads;
    private boolean unbatched;
    private long periodStart;
    private int messagesInPeriod;
    private boolean busy;
    private boolean paused;
    private volatile long pauses;

    /**
     * {@code readsLookup} finds the switch over the channel the connection reads from; it is asked again only when
     * that channel has closed (a Sentinel connection with auto-failover moves to the new master's), and never again
     * once it finds none.
     */
    ReadBatching(long windowNanos, Supplier<ReadSwitch> readsLookup, LongSupplier nanoTime) {
        this.windowNanos = windowNanos;
        this.periodNanos = windowNanos * WINDOWS_MEASURED;
        this.readsLookup = readsLookup;
        this.nanoTime = nanoTime;
        this.periodStart = nanoTime.getAsLong();
    }

    /** Called for every message read from the connection, before it is fanned out. */
    void onMessage() {
        if (windowNanos <= 0 || unbatched) {
            return;
        }
        long now = nanoTime.getAsLong();
        long sincePeriodStart = now - periodStart;
        if (sincePeriodStart >= periodNanos) {
            // the period just ended says whether messages come fast; one that ended long ago says they don't
            busy = sincePeriodStart < 2 * periodNanos && messagesInPeriod >= MESSAGES_PER_WINDOW * WINDOWS_MEASURED;
            periodStart = now;
            messagesInPeriod = 0;
        }
        messagesInPeriod++;
        if (busy && !paused) {
            pause();
        }
    }

    private void pause() {
        if (reads == null || !reads.isOpen()) {
            reads = readsLookup.get();
            if (reads == null) {
                unbatched = true; // a kind of connection whose channel cannot be found: read as before
                return;
            }
        }
        if (!reads.onOwnThread()) {
            return;
        }
        paused = true;
        reads.pause(windowNanos, this::resumed);
        pauses++;
    }

    /** On the paused connection's thread. */
    private void resumed() {
        paused = false;
    }

    /** How often reading was paused (for tests). */
    long pauses() {
        return pauses;
    }
}
