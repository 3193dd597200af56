package io.devarno.realtime.transport;

import java.util.concurrent.Executor;

import io.devarno.realtime.protocol.CloseCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.timeout.IdleStateHandler;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * A client transport that writes pre-encoded frames straight to the Netty channel under a websockets-next
 * connection: one encode per message for all its recipients and one flush per batch, where websockets-next's
 * public API costs a {@code Uni}, a String, an encode and a flush per frame. Closing goes through websockets-next.
 */
public final class ChannelTransport implements ClientTransport {

    private final WebSocketConnection connection;
    private final ChannelHandlerContext channel;
    private final ClientFrameDecoder decoder;
    private int unflushed; // touched by the channel's event loop only

    /** {@code decoder} may be null: the connection then has Vert.x's decoder (see {@link ProtocolViolations}). */
    public ChannelTransport(WebSocketConnection connection, ChannelHandlerContext channel, ClientFrameDecoder decoder) {
        this.connection = connection;
        this.channel = channel;
        this.decoder = decoder;
    }

    @Override
    public String id() {
        return connection.id();
    }

    @Override
    public Executor eventLoop() {
        return channel.executor();
    }

    @Override
    public boolean canWrite() {
        return unwritten() != null && channel.channel().isActive();
    }

    @Override
    public void write(WireFrame frame) {
        channel.write(frame.view(), channel.voidPromise());
        unflushed++;
    }

    @Override
    public void flush() {
        unflushed = 0;
        channel.flush();
    }

    @Override
    public int pendingFrames() {
        ChannelOutboundBuffer unwritten = unwritten();
        // size() counts flushed entries only; totalPendingWriteBytes() already includes the unflushed ones.
        return unwritten == null ? 0 : unwritten.size() + unflushed;
    }

    @Override
    public long pendingBytes() {
        ChannelOutboundBuffer unwritten = unwritten();
        return unwritten == null ? 0 : unwritten.totalPendingWriteBytes();
    }

    private ChannelOutboundBuffer unwritten() {
        return channel.channel().unsafe().outboundBuffer();
    }

    @Override
    public void close(int code, String reason) {
        close(connection, code, reason);
    }

    /** Starts the close handshake and does not wait for it: a failure only means the connection was gone already. */
    static void close(WebSocketConnection connection, int code, String reason) {
        if (connection.isOpen()) {
            connection.close(new CloseReason(code, reason)).subscribe().with(ignored -> {}, failure -> {});
        }
    }

    @Override
    public CloseCode violation() {
        return decoder == null ? null : decoder.violation();
    }

    @Override
    public boolean isClosed() {
        return connection.isClosed();
    }

    /**
     * Once a WebSocket is open, the heartbeat decides when it is dead ({@code ping-interval}, {@code pong-timeout}),
     * so the HTTP server's idle timeout comes off its channel. Left on, it would drop a quiet tab without a close
     * frame ({@code 1006}) whenever {@code quarkus.http.idle-timeout} is not longer than {@code ping-interval}, and
     * it keeps a timer per connection (~200 B, rescheduled every timeout). Upgrades that never complete and plain
     * HTTP connections keep it.
     */
    void handOverIdleTimeout() {
        IdleStateHandler idle = channel.pipeline().get(IdleStateHandler.class);
        if (idle != null) {
            channel.pipeline().remove(idle);
        }
    }
}
