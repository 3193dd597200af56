package io.devarno.realtime.hub;

import io.devarno.realtime.transport.ClientTransport;

/**
 * How much may wait unwritten for one connection before it is a slow consumer: {@code messages} frames or
 * {@code bytes} bytes, whichever comes first. Frames written but not yet flushed count as waiting.
 */
record SendBuffer(int messages, long bytes) {

    boolean isFull(ClientTransport unwritten) {
        return unwritten.pendingFrames() >= messages || unwritten.pendingBytes() >= bytes;
    }
}
