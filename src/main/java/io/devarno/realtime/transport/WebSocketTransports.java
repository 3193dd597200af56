package io.devarno.realtime.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.devarno.realtime.config.RealtimeConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.MultiMap;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.impl.WebSocketInternal;
import io.vertx.core.http.impl.headers.HeadersAdaptor;

/**
 * Gives each websockets-next connection its {@link ClientTransport}: the Netty channel under it, where the hub
 * writes pre-encoded frames, and drops the Vert.x socket's copy of the upgrade headers.
 * websockets-next only offers a {@code Uni} per send (a String, an encode, a context capture and a flush per
 * frame); the fan-out needs to encode a message once and flush a batch once. The Vert.x socket is a private
 * field of websockets-next's connection (wrapped by Vert.x Web), hence reflective reads (VarHandles),
 * resolved at start-up so that an incompatible upgrade of either library fails at once, not at the first tab.
 * The channel's frame decoder is replaced by ours ({@link ClientFrameDecoder}): RFC 6455 violations and oversized
 * client messages get a close frame.
 */
@Startup
@Singleton
@RegisterForReflection(classNames = { WebSocketTransports.CONNECTION, WebSocketTransports.WRAPPER,
        WebSocketTransports.SOCKET_BASE }, fields = true, methods = false)
public class WebSocketTransports {

    static final String CONNECTION = "io.quarkus.websockets.next.runtime.WebSocketConnectionImpl";
    static final String WRAPPER = "io.vertx.ext.web.impl.ServerWebSocketWrapper";
    static final String SOCKET_BASE = "io.vertx.core.http.impl.WebSocketImplBase";
    private static final Logger LOG = Logger.getLogger(WebSocketTransports.class);

    /** What every open socket answers for its upgrade headers; immutable, so one serves all. */
    private final MultiMap noHeaders = new HeadersAdaptor(EmptyHttpHeaders.INSTANCE);
    private final VarHandle connectionSocket;
    private final Class<?> wrapperType;
    private final VarHandle wrappedSocket;
    private final VarHandle socketHeaders;

    private final int maxClientMessageBytes;
    private final AtomicBoolean decoderMissingLogged = new AtomicBoolean();

    public WebSocketTransports(RealtimeConfig config) {
        this.maxClientMessageBytes = (int) config.maxClientFrameSize().asLongValue();
        try {
            Class<?> connectionType = Class.forName(CONNECTION, false, WebSocketConnection.class.getClassLoader());
            connectionSocket = MethodHandles.privateLookupIn(connectionType, MethodHandles.lookup())
                    .findVarHandle(connectionType, "webSocket", ServerWebSocket.class);
            wrapperType = Class.forName(WRAPPER, false, WebSocketConnection.class.getClassLoader());
            wrappedSocket = MethodHandles.privateLookupIn(wrapperType, MethodHandles.lookup())
                    .findVarHandle(wrapperType, "delegate", ServerWebSocket.class);
            Class<?> socketBase = Class.forName(SOCKET_BASE, false, WebSocketConnection.class.getClassLoader());
            socketHeaders = MethodHandles.privateLookupIn(socketBase, MethodHandles.lookup())
                    .findVarHandle(socketBase, "headers", MultiMap.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("The fan-out cannot reach the WebSocket's channel: " + CONNECTION
                    + ".webSocket, " + WRAPPER + ".delegate or " + SOCKET_BASE
                    + ".headers is missing in this Quarkus/Vert.x version", e);
        }
    }

    /**
     * The transport of a connection that has just opened. On the way, the Vert.x socket lets go of the upgrade
     * headers it would keep for its lifetime (the upgrade request's own map; only the handshake reads it) and
     * answers an empty map instead: websockets-next answers {@code handshakeRequest()} from a copy of its own, so
     * nothing the endpoint sees changes, and each connection holds ~0.4 KB less live heap.
     */
    public ClientTransport open(WebSocketConnection connection) {
        WebSocketInternal socket = socketOf(connection);
        socketHeaders.set(socket, noHeaders);
        ChannelHandlerContext channel = socket.channelHandlerContext();
        ClientFrameDecoder decoder = ProtocolViolations.install(channel, maxClientMessageBytes);
        if (decoder == null && decoderMissingLogged.compareAndSet(false, true)) {
            LOG.warn("No WebSocket frame decoder found in the channel pipeline: protocol violations and oversized "
                    + "frames end the TCP connection without a close frame");
        }
        return new ChannelTransport(connection, channel, decoder);
    }

    /**
     * Called once the hub admitted the connection: from now on the heartbeat, not the HTTP server's idle timeout,
     * decides when it is dead.
     */
    public void handOverIdleTimeout(ClientTransport transport) {
        if (transport instanceof ChannelTransport channel) {
            channel.handOverIdleTimeout();
        }
    }

    /**
     * Closes a connection that has no transport (it was refused before the hub saw it); a failure only means
     * the connection was gone already.
     */
    public void close(WebSocketConnection connection, int code, String reason) {
        ChannelTransport.close(connection, code, reason);
    }

    /** The upgrade headers the Vert.x socket under an open connection still holds (for tests). */
    public MultiMap socketHeaders(WebSocketConnection connection) {
        return socketOf(connection).headers();
    }

    private WebSocketInternal socketOf(WebSocketConnection connection) {
        ServerWebSocket socket = (ServerWebSocket) connectionSocket.get(connection);
        while (wrapperType.isInstance(socket)) {
            socket = (ServerWebSocket) wrappedSocket.get(socket);
        }
        if (!(socket instanceof WebSocketInternal internal)) {
            throw new IllegalStateException("Unexpected WebSocket implementation " + socket.getClass().getName());
        }
        return internal;
    }
}
