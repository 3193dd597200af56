package io.devarno.realtime.hub;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.devarno.realtime.protocol.CloseCode;
import io.devarno.realtime.transport.ClientTransport;
import io.devarno.realtime.transport.WireFrame;

/** One WebSocket connection (one browser tab) of a user on this pod. */
public final class Client {

    private static final CompletionStage<?> NOTHING_PENDING = CompletableFuture.completedFuture(null);

    private final String id;
    private final String userId;
    private final String podId;
    private final ClientTransport transport;
    private Outbox outbox;
    private int unflushed; // touched by the connection's event loop only
    private volatile long lastActivityNanos;
    private volatile long lastPingNanos;
    private volatile long lastPresenceTouchNanos;
    private volatile OptionalLong tokenExpiresAt;
    private volatile CloseCode closeReason;
    private volatile boolean closed;
    private long rateWindowStartNanos;
    private int framesInWindow;
    private CompletionStage<?> presenceTail = NOTHING_PENDING;
    private boolean v2;
    /** Non-null during the recovery window of a v2 connection only. */
    private volatile Recovery recovery;

    private final Consumer<Client> onServerClose;

    /**
     * {@code transport} is where fan-out writes pre-encoded frames. {@code onServerClose} runs when the server
     * closes the connection, before the peer acknowledges.
     */
    public Client(
            ClientTransport transport,
            String userId,
            String podId,
            OptionalLong tokenExpiresAt,
            Consumer<Client> onServerClose) {
        this.onServerClose = onServerClose;
        this.id = transport.id();
        this.userId = userId;
        this.podId = podId;
        this.transport = transport;
        this.tokenExpiresAt = tokenExpiresAt;
        long now = System.nanoTime();
        this.lastActivityNanos = now;
        this.lastPingNanos = now;
        this.rateWindowStartNanos = now;
    }

    public String id() {
        return id;
    }

    public String userId() {
        return userId;
    }

    /**
     * Unique across pods: the connection's member id in Redis. Built per call (presence writes are seconds
     * apart) rather than kept: ~90 bytes on every idle connection.
     */
    public String member() {
        return podId + "/" + id;
    }

    enum WriteResult {
        FIRST_IN_BATCH,
        WRITTEN,
        OVERFLOW,
        CLOSED
    }

    /**
     * Makes this a protocol v2 connection (envelopes instead of verbatim frames) whose live messages wait in
     * {@code recovery} until it is finished. Called before the client is registered in the hub.
     */
    public void speakV2(Recovery recovery) {
        this.v2 = true;
        this.recovery = recovery;
    }

    public boolean isV2() {
        return v2;
    }

    /** Queues a message for this connection: as published (v1) or in its envelope (v2), or holds it while recovering. */
    public void deliver(Delivery delivery) {
        if (!v2) {
            enqueue(delivery.verbatim());
            return;
        }
        Recovery window = recovery;
        if (window != null) {
            switch (window.hold(delivery)) {
                case HELD -> {
                    return;
                }
                case OVERFLOW -> {
                    outbox.overflowed(this);
                    return;
                }
                case LIVE -> recovery = null;
            }
        }
        enqueue(delivery.envelope());
    }

    /**
     * Ends the recovery window: the welcome, the replay, then the held messages after the given positions.
     * Returns false when the window had ended already (the connection overflowed or closed meanwhile).
     */
    public boolean finishRecovery(
            WireFrame welcome, List<WireFrame> replay, Envelopes.StreamState user, Envelopes.StreamState broadcast) {
        Recovery window = recovery;
        if (window == null) {
            welcome.release();
            replay.forEach(WireFrame::release);
            return false;
        }
        boolean finished = window.finish(this, welcome, replay, user, broadcast);
        recovery = null;
        return finished;
    }

    /** Queues a frame for this connection; the connection's event loop writes it with others in a batch. */
    public void enqueue(WireFrame frame) {
        outbox.add(this, frame);
    }

    void useOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    Executor eventLoop() {
        return transport.eventLoop();
    }

    /**
     * On the connection's event loop: writes the frame without flushing and gives back its reference. A
     * message finding the send buffer full is not written: the connection is a slow consumer.
     */
    WriteResult write(WireFrame frame, SendBuffer sendBuffer) {
        if (closeReason != null || closed || !transport.canWrite()) {
            frame.release();
            return WriteResult.CLOSED;
        }
        if (frame.isMessage() && sendBuffer.isFull(transport)) {
            if (unflushed > 0) {
                // A burst larger than the send buffer reached us in one batch (one read from Redis): its frames
                // wait for our flush, not for the client. Flush, then judge by what the socket did not take.
                flush();
            }
            if (sendBuffer.isFull(transport)) {
                frame.release();
                return WriteResult.OVERFLOW;
            }
        }
        transport.write(frame);
        return unflushed++ == 0 ? WriteResult.FIRST_IN_BATCH : WriteResult.WRITTEN;
    }

    /** On the connection's event loop, once per batch (and in a batch larger than the send buffer). */
    void flush() {
        unflushed = 0;
        transport.flush();
    }

    /**
     * Records our reason, closes, and releases the connection at once. Returns false, doing nothing, when the
     * server already closed it: the first reason wins.
     */
    public boolean close(CloseCode code) {
        synchronized (this) {
            if (closeReason != null) {
                return false;
            }
            closeReason = code;
        }
        transport.close(code.code(), code.reason());
        onServerClose.accept(this);
        return true;
    }

    /** Called when the connection is gone: a recovery still under way lets go of what it holds. */
    void abandonRecovery() {
        Recovery window = recovery;
        if (window != null) {
            window.abandon();
        }
    }

    /** Why the server closed it (or its transport, for a protocol violation), or null when the client closed it. */
    public CloseCode closeReason() {
        CloseCode reason = closeReason;
        return reason != null ? reason : transport.violation();
    }

    /** Called once the connection is closed, before its presence is removed. */
    public void markClosed() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    /** True once the connection itself is closed: the close handshake done, or the socket gone. */
    public boolean closeCompleted() {
        return transport.isClosed();
    }

    public void markActive() {
        lastActivityNanos = System.nanoTime();
    }

    public long lastActivityNanos() {
        return lastActivityNanos;
    }

    public long lastPingNanos() {
        return lastPingNanos;
    }

    public void markPinged(long nanos) {
        lastPingNanos = nanos;
    }

    public OptionalLong tokenExpiresAt() {
        return tokenExpiresAt;
    }

    /**
     * Returns the connection's expiry after the refresh: never earlier than before, since two refreshes verified
     * at the same time may finish in either order and an older token must not cut the connection short.
     */
    public synchronized long extendToken(long expiresAt) {
        if (tokenExpiresAt.isEmpty() || expiresAt > tokenExpiresAt.getAsLong()) {
            tokenExpiresAt = OptionalLong.of(expiresAt);
        }
        return tokenExpiresAt.getAsLong();
    }

    /** True when a presence refresh is due: at most one per {@code minIntervalNanos}. */
    public boolean presenceRefreshDue(long nowNanos, long minIntervalNanos) {
        if (nowNanos - lastPresenceTouchNanos < minIntervalNanos) {
            return false;
        }
        lastPresenceTouchNanos = nowNanos;
        return true;
    }

    /**
     * Counts a client frame in a one-second window; false when the frame is over {@code perSecond}. Frames of
     * one connection are handled one at a time, so no lock is needed.
     */
    public boolean admitFrame(int perSecond) {
        long now = System.nanoTime();
        if (now - rateWindowStartNanos >= 1_000_000_000L) {
            rateWindowStartNanos = now;
            framesInWindow = 0;
        }
        return ++framesInWindow <= perSecond;
    }

    /**
     * Runs presence operations of this connection one after another, so that a close's "leave" never
     * overtakes the open's "touch" on its way to Redis.
     */
    public synchronized CompletionStage<?> chainPresence(Supplier<CompletionStage<?>> operation) {
        presenceTail = presenceTail.handle((result, failure) -> null).thenCompose(ignored -> operation.get());
        return presenceTail;
    }

    public synchronized CompletionStage<?> presenceTail() {
        return presenceTail;
    }
}
