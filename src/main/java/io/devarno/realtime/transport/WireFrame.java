package io.devarno.realtime.transport;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.VertxByteBufAllocator;

/**
 * A server-to-client WebSocket frame encoded once, as it goes on the wire (unmasked), and written to any number of
 * connections. A message for thousands of tabs is encoded once; each tab only gets a view of the same bytes.
 * <p>
 * Reference counted: whoever creates a frame releases it once it has been handed to every connection (each
 * connection's queue takes its own reference with {@link #retain()}; writing it gives that reference back).
 * A frame holds a pooled direct buffer: never keep one in a static field (it would be created while the native
 * image is built; see docs/internals.md).
 */
public final class WireFrame {

    private static final int FIN = 0x80;
    private static final int TEXT = 0x1;
    private static final int PING = 0x9;

    private final ByteBuf wire;
    private final int headerLength;
    private final boolean message;

    private WireFrame(ByteBuf wire, int headerLength, boolean message) {
        this.wire = wire;
        this.headerLength = headerLength;
        this.message = message;
    }

    /** A text frame carrying {@code payload}. */
    public static WireFrame text(String payload) {
        int length = ByteBufUtil.utf8Bytes(payload);
        ByteBuf wire = header(TEXT, length);
        int headerLength = wire.readableBytes();
        ByteBufUtil.reserveAndWriteUtf8(wire, payload, length);
        return new WireFrame(wire, headerLength, true);
    }

    /**
     * A text frame carrying bytes as published to Redis. Text frames must be UTF-8: bytes that are not are
     * decoded with replacement characters, as a browser would otherwise close the connection (1007).
     */
    public static WireFrame text(Buffer utf8) {
        @SuppressWarnings("deprecation") // the buffer's own bytes, copied once, without a byte[] in between
        ByteBuf payload = utf8.getByteBuf();
        if (!ByteBufUtil.isText(payload, StandardCharsets.UTF_8)) {
            return text(utf8.toString(StandardCharsets.UTF_8));
        }
        ByteBuf wire = header(TEXT, payload.readableBytes());
        int headerLength = wire.readableBytes();
        wire.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        return new WireFrame(wire, headerLength, true);
    }

    /**
     * A text frame of a v2 connection's recovery: its welcome, a replayed message, a message held while it recovered.
     * Such a burst is bounded by the history settings (and the send buffer, for the held ones), so it is neither
     * judged by the send buffer nor counted as delivered (replays have their own counter).
     */
    public static WireFrame recoveryText(String payload) {
        WireFrame frame = text(payload);
        return new WireFrame(frame.wire, frame.headerLength, false);
    }

    /** An empty ping control frame (the heartbeat). */
    public static WireFrame ping() {
        ByteBuf wire = header(PING, 0);
        return new WireFrame(wire, wire.readableBytes(), false);
    }

    private static ByteBuf header(int opcode, int payloadLength) {
        int headerLength = payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
        ByteBuf wire = VertxByteBufAllocator.POOLED_ALLOCATOR.directBuffer(headerLength + payloadLength);
        wire.writeByte(FIN | opcode);
        if (payloadLength < 126) {
            wire.writeByte(payloadLength);
        } else if (payloadLength <= 0xFFFF) {
            wire.writeByte(126);
            wire.writeShort(payloadLength);
        } else {
            wire.writeByte(127);
            wire.writeLong(payloadLength);
        }
        return wire;
    }

    /** True for a message (counted as delivered and against the send buffer), false for a control frame. */
    public boolean isMessage() {
        return message;
    }

    /** Takes a reference for one connection; give it back with {@link #release()} or by writing the frame. */
    public WireFrame retain() {
        wire.retain();
        return this;
    }

    public void release() {
        wire.release();
    }

    /** A view of the bytes for one write; writing it gives back one reference. */
    ByteBuf view() {
        return wire.duplicate();
    }

    /** The whole frame's size on the wire. */
    int wireLength() {
        return wire.readableBytes();
    }

    /** The payload as text (for a transport that can only send strings). */
    String payloadText() {
        return wire.toString(
                wire.readerIndex() + headerLength, wire.readableBytes() - headerLength, StandardCharsets.UTF_8);
    }
}
