package io.devarno.realtime.hub;

import io.netty.channel.ChannelOutboundBuffer;

/**
 * How much may wait unwritten for one connection before it is a slow consumer: {@code messages} frames or
 * {@code bytes} bytes, whichever comes first. Frames written but not yet flushed count as waiting.
 */
record SendBuffer(int messages, long bytes) {

    boolean isFull(ChannelOutboundBuffer unwritten, int unflushed) {
        // size() counts flushed entries only; totalPendingWriteBytes() already includes the unflushed ones.
        return unwritten.size() + unflushed >= messages || unwritten.totalPendingWriteBytes() >= bytes;
    }
}
