package io.devarno.realtime.hub;

import java.util.ArrayList;
import java.util.List;

import io.devarno.realtime.hub.Envelopes.StreamState;
import io.devarno.realtime.transport.WireFrame;

/**
 * The recovery window of a v2 connection (docs/protocol.md#protocol-v2-history-and-recovery): from its registration in
 * the hub until its welcome and replay are queued, the live messages for it are held here. Whoever joins the connection
 * to its streams makes sure that every message published up to the position it read has reached this pod before it
 * calls {@link #finish}; the held messages at or below that position are in the replay (or before the connection's
 * starting point) and are dropped, the others follow the replay in the order they came. So the connection sees each
 * offset once, in order, whatever the timing. Held messages are bounded ({@code maxHeld}): past it the connection is a
 * slow consumer, and comes back with its position. Nothing of this is kept once the window ends.
 */
public final class Recovery {

    /** Kept as its envelope's text, encoded again when released: only a recovering connection pays for it. */
    private record Held(StreamKind stream, String epoch, long offset, String envelope) {}

    private final int maxHeld;
    private List<Held> held = new ArrayList<>(); // null once the window has ended
    private boolean overflowed;

    public Recovery(int maxHeld) {
        this.maxHeld = maxHeld;
    }

    enum Outcome {
        HELD,
        OVERFLOW,
        LIVE
    }

    /** Holds the message while the window is open. */
    synchronized Outcome hold(Delivery delivery) {
        if (held == null) {
            return overflowed ? Outcome.HELD : Outcome.LIVE;
        }
        if (held.size() >= maxHeld) {
            end();
            overflowed = true;
            return Outcome.OVERFLOW;
        }
        held.add(new Held(delivery.stream(), delivery.epoch(), delivery.offset(), delivery.envelopeText()));
        return Outcome.HELD;
    }

    /**
     * Queues the welcome, the replay and then the held messages that come after {@code user} and {@code broadcast}
     * (the positions the replay ends at), and ends the window: later messages go straight to the connection.
     * Returns false, queuing nothing, when the window had already ended (overflowed or abandoned).
     */
    synchronized boolean finish(
            Client client, WireFrame welcome, List<WireFrame> replay, StreamState user, StreamState broadcast) {
        if (held == null) {
            welcome.release();
            replay.forEach(WireFrame::release);
            return false;
        }
        client.enqueue(welcome);
        welcome.release();
        for (WireFrame frame : replay) {
            client.enqueue(frame);
            frame.release();
        }
        for (Held message : held) {
            StreamState position = message.stream() == StreamKind.USER ? user : broadcast;
            boolean replayedOrBefore = message.epoch() != null
                    && message.epoch().equals(position.epoch())
                    && message.offset() <= position.offset();
            if (!replayedOrBefore) {
                WireFrame frame = WireFrame.recoveryText(message.envelope());
                client.enqueue(frame);
                frame.release();
            }
        }
        held = null;
        return true;
    }

    /** Ends the window without queuing anything (the connection is closing). */
    synchronized void abandon() {
        end();
    }

    private void end() {
        held = null;
    }
}
