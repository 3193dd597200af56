package io.devarno.realtime.hub;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.VertxByteBufAllocator;

/**
 * A WebSocket frame encoded once, on the wire as a server sends it (unmasked), and written to any number of
 * connections. A message for thousands of tabs is encoded once; each tab only gets a view of the same bytes.
 * <p>
 * Reference counted: whoever creates a frame releases it once it has been handed to every connection
 * ({@link Outbox} takes its own reference per connection).
 */
public final class Frame {

    private static final int FIN = 0x80;
    private static final int TEXT = 0x1;
    private static final int PING = 0x9;

    private final ByteBuf wire;
    private final boolean message;

    private Frame(ByteBuf wire, boolean message) {
        this.wire = wire;
        this.message = message;
    }

    /** A text frame carrying {@code payload}. */
    public static Frame text(String payload) {
        int length = ByteBufUtil.utf8Bytes(payload);
        ByteBuf wire = header(TEXT, length);
        ByteBufUtil.reserveAndWriteUtf8(wire, payload, length);
        return new Frame(wire, true);
    }

    /**
     * A text frame carrying bytes as published to Redis. Text frames must be UTF-8: bytes that are not are
     * decoded with replacement characters, as a browser would otherwise close the connection (1007).
     */
    public static Frame text(Buffer utf8) {
        ByteBuf payload = utf8.getByteBuf();
        if (!ByteBufUtil.isText(payload, StandardCharsets.UTF_8)) {
            return text(utf8.toString(StandardCharsets.UTF_8));
        }
        ByteBuf wire = header(TEXT, payload.readableBytes());
        wire.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        return new Frame(wire, true);
    }

    /** An empty ping control frame (the heartbeat). */
    public static Frame ping() {
        return new Frame(header(PING, 0), false);
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
    boolean isMessage() {
        return message;
    }

    /** Takes a reference for one connection; give it back with {@link #release()} or by writing {@link #view()}. */
    Frame retain() {
        wire.retain();
        return this;
    }

    /** A view of the bytes for one write; writing it gives back one reference. */
    ByteBuf view() {
        return wire.duplicate();
    }

    public void release() {
        wire.release();
    }
}
