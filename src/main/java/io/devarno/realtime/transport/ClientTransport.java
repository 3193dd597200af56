package io.devarno.realtime.transport;

import java.util.concurrent.Executor;

import io.devarno.realtime.protocol.CloseCode;

/**
 * How the hub reaches one client connection: write frames, flush them as a batch, see how much waits unwritten,
 * close. Modelled on centrifuge's {@code Transport}. Writes and flushes happen on {@link #eventLoop()} only.
 */
public interface ClientTransport {

    /** The connection's id, unique on this pod. */
    String id();

    /** The one thread this connection is written from; the same executor for every connection it serves. */
    Executor eventLoop();

    /** False once the connection cannot take writes any more (closing, closed, or its socket gone). */
    boolean canWrite();

    /** Writes the frame without flushing it and gives back one reference to it. */
    void write(WireFrame frame);

    /** Sends what was written since the last flush. */
    void flush();

    /** Frames written and not yet taken by the socket, flushed or not. */
    int pendingFrames();

    /** Bytes written and not yet taken by the socket, flushed or not. */
    long pendingBytes();

    /** Starts the close handshake with {@code code} and {@code reason}; does nothing when already closed. */
    void close(int code, String reason);

    /**
     * The close the transport itself sent because the client broke the protocol (RFC 6455, or a message over the
     * limit), or null.
     */
    CloseCode violation();

    /** True once the connection is closed (the close handshake done, or the socket gone). */
    boolean isClosed();
}
