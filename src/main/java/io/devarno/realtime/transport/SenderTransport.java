package io.devarno.realtime.transport;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.devarno.realtime.protocol.CloseCode;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * A client transport through websockets-next's public send API only: what the service falls back to when the
 * channel under a connection cannot be reached. Every frame is a {@code sendText} (a String decoded from the
 * pre-encoded frame, an encode and a flush of its own), so it costs more per delivery; what waits unwritten is
 * counted from the sends not yet completed, so the slow-consumer rule still holds.
 */
final class SenderTransport implements ClientTransport {

    private final WebSocketConnection connection;
    private final Executor eventLoop;
    private final AtomicInteger pendingFrames = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();

    SenderTransport(WebSocketConnection connection, Executor eventLoop) {
        this.connection = connection;
        this.eventLoop = eventLoop;
    }

    @Override
    public String id() {
        return connection.id();
    }

    @Override
    public Executor eventLoop() {
        return eventLoop;
    }

    @Override
    public boolean canWrite() {
        return connection.isOpen();
    }

    @Override
    public void write(WireFrame frame) {
        int length = frame.wireLength();
        Uni<Void> send;
        try {
            send = frame.isMessage() ? connection.sendText(frame.payloadText()) : connection.sendPing(Buffer.buffer());
        } finally {
            frame.release();
        }
        pendingFrames.incrementAndGet();
        pendingBytes.addAndGet(length);
        send.subscribe().with(ignored -> sent(length), failure -> sent(length));
    }

    private void sent(int length) {
        pendingFrames.decrementAndGet();
        pendingBytes.addAndGet(-length);
    }

    @Override
    public void flush() {
        // each send flushes itself
    }

    @Override
    public int pendingFrames() {
        return pendingFrames.get();
    }

    @Override
    public long pendingBytes() {
        return pendingBytes.get();
    }

    @Override
    public void close(int code, String reason) {
        ChannelTransport.close(connection, code, reason);
    }

    /** Without the channel our frame decoder is not installed: Vert.x's own ends a violating connection. */
    @Override
    public CloseCode violation() {
        return null;
    }

    @Override
    public boolean isClosed() {
        return connection.isClosed();
    }
}
