package io.devarno.realtime.transport;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.devarno.realtime.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ByteProcessor;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Decodes an open WebSocket's client frames in place of the decoder Vert.x installs, with the same rules (masked
 * frames, no extension bits, Netty's RFC 6455 checks) plus two of ours, and answers every violation with a close
 * frame before the TCP close (RFC 6455 sections 7.4 and 8.1):
 * <ul>
 * <li>a frame, or a fragmented message, over {@code realtime.max-client-frame-size}: {@code 1009}, decided from the
 * frame header, before its payload is buffered;</li>
 * <li>a text message that is not valid UTF-8, checked across its fragments: {@code 1007} (Vert.x would decode it
 * with replacement characters);</li>
 * <li>an unmasked frame, a reserved opcode or bit, a control frame over 125 bytes or fragmented, a bad close code,
 * a continuation without a start: {@code 1002}.</li>
 * </ul>
 * Vert.x configures its decoder not to answer violations and then drops the TCP connection at once: the client
 * sees {@code 1006}, and a close sent while the client is still sending would be lost to the reset that unread
 * data causes. Here the close frame is flushed, the output shut down (FIN), and what the client still sends is
 * read and discarded until it closes its side or {@link #LINGER_MILLIS} pass. The endpoint learns of it when the
 * connection closes ({@link ClientTransport#violation()}): Vert.x tells a WebSocket nothing of its decoder's errors.
 */
final class ClientFrameDecoder extends WebSocket13FrameDecoder implements ByteProcessor {

    /** How long a violating client may keep sending after our close frame before the socket is closed anyway. */
    static final long LINGER_MILLIS = 2000;

    private static final Logger LOG = Logger.getLogger(ClientFrameDecoder.class);

    private final int maxMessageBytes;
    private int messageBytes; // of the data message being received, over its fragments
    private boolean inTextMessage;
    private int utf8Pending; // continuation bytes the current code point still needs
    private int utf8Lowest = 0x80; // range of the next continuation byte (overlongs, surrogates, > U+10FFFF)
    private int utf8Highest = 0xBF;
    private volatile CloseCode violation;
    private ScheduledFuture<?> lingering;

    ClientFrameDecoder(int maxMessageBytes) {
        super(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(false)
                .maxFramePayloadLength(maxMessageBytes)
                .closeOnProtocolViolation(false)
                .build());
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (violation != null) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int first = out.size();
        try {
            super.decode(ctx, in, out);
            for (int i = first; i < out.size(); i++) {
                check((WebSocketFrame) out.get(i));
            }
        } catch (CorruptedWebSocketFrameException e) {
            for (int i = out.size() - 1; i >= first; i--) {
                ((WebSocketFrame) out.remove(i)).release();
            }
            violated(ctx, in, e);
        }
    }

    private void check(WebSocketFrame frame) {
        boolean text = frame instanceof TextWebSocketFrame;
        boolean data = text || frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame;
        if (!data) {
            return; // control frames: Netty checked them
        }
        if (!(frame instanceof ContinuationWebSocketFrame)) {
            inTextMessage = text;
            messageBytes = 0;
        }
        ByteBuf payload = frame.content();
        messageBytes += payload.readableBytes();
        if (messageBytes > maxMessageBytes) {
            throw new CorruptedWebSocketFrameException(
                    WebSocketCloseStatus.MESSAGE_TOO_BIG, "message over " + maxMessageBytes + " bytes");
        }
        if (inTextMessage && (payload.forEachByte(this) != -1 || (frame.isFinalFragment() && utf8Pending != 0))) {
            throw new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "invalid UTF-8");
        }
    }

    /** One byte of a text message; false on the first byte that cannot be UTF-8 there (Unicode table 3-7). */
    @Override
    public boolean process(byte value) {
        int b = value & 0xff;
        if (utf8Pending > 0) {
            if (b < utf8Lowest || b > utf8Highest) {
                return false;
            }
            utf8Pending--;
            utf8Lowest = 0x80;
            utf8Highest = 0xBF;
            return true;
        }
        if (b < 0x80) {
            return true;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            utf8Pending = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            utf8Pending = 2;
            utf8Lowest = b == 0xE0 ? 0xA0 : 0x80;
            utf8Highest = b == 0xED ? 0x9F : 0xBF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            utf8Pending = 3;
            utf8Lowest = b == 0xF0 ? 0x90 : 0x80;
            utf8Highest = b == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        return true;
    }

    private void violated(ChannelHandlerContext ctx, ByteBuf in, CorruptedWebSocketFrameException e) {
        CloseCode code = ProtocolViolations.closeCodeOf(e.closeStatus().code());
        violation = code;
        in.skipBytes(in.readableBytes());
        LOG.debugf("Closing a connection with %d: %s", code.code(), e.getMessage());
        ctx.channel()
                .writeAndFlush(new CloseWebSocketFrame(code.code(), code.reason()))
                .addListener(written -> {
                    if (written.isSuccess() && ctx.channel() instanceof DuplexChannel duplex) {
                        duplex.shutdownOutput();
                    } else {
                        ctx.close();
                    }
                });
        lingering = ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The close this decoder answered a violation with; null while the client kept to the protocol. */
    CloseCode violation() {
        return violation;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (lingering != null) {
            lingering.cancel(false);
        }
        super.channelInactive(ctx);
    }
}
