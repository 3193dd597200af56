package io.devarno.realtime.transport;

import java.util.Locale;

import io.devarno.realtime.protocol.CloseCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;

/** What a client's protocol violation is called, and the decoder that answers violations with a close frame. */
public final class ProtocolViolations {

    private ProtocolViolations() {}

    /**
     * Puts a {@link ClientFrameDecoder} in place of the channel's WebSocket frame decoder, on its event loop, right
     * after the upgrade. Bytes the old decoder already holds go to the new one. Null when there is no decoder to
     * replace (a framework upgrade changed the pipeline): violations then end the TCP connection without a close frame.
     */
    static ClientFrameDecoder install(ChannelHandlerContext channel, int maxMessageBytes) {
        ChannelPipeline pipeline = channel.pipeline();
        ChannelHandlerContext installed = pipeline.context(WebSocketFrameDecoder.class);
        if (installed == null) {
            return null;
        }
        if (installed.handler() instanceof ClientFrameDecoder ours) {
            return ours;
        }
        ClientFrameDecoder decoder = new ClientFrameDecoder(maxMessageBytes);
        pipeline.replace(installed.handler(), installed.name(), decoder);
        return decoder;
    }

    /** The close a violation was answered with, by its RFC 6455 status. */
    static CloseCode closeCodeOf(int status) {
        if (status == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
            return CloseCode.MESSAGE_TOO_BIG;
        }
        if (status == WebSocketCloseStatus.INVALID_PAYLOAD_DATA.code()) {
            return CloseCode.INVALID_UTF8;
        }
        return CloseCode.PROTOCOL_ERROR;
    }

    /**
     * True when an endpoint error is Vert.x's report of a message over its limit (it would close with 1011). The
     * decoder answers such messages first; this covers a connection whose decoder could not be replaced.
     */
    public static boolean isTooBig(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof TooLongFrameException
                    || message.contains("max message size")
                    || message.contains("max frame length")) {
                return true;
            }
        }
        return false;
    }
}
