package io.devarno.realtime.ws;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import jakarta.enterprise.context.ApplicationScoped;

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
 * Finds the Netty channel under a websockets-next connection, where the hub writes pre-encoded frames, and
 * drops the Vert.x socket's copy of the upgrade headers.
 * websockets-next only offers a {@code Uni} per send (a String, an encode, a context capture and a flush per
 * frame); the fan-out needs to encode a message once and flush a batch once. The Vert.x socket is a private
 * field of websockets-next's connection (wrapped by Vert.x Web), hence reflective reads (VarHandles),
 * resolved at start-up so that an incompatible upgrade of either library fails at once, not at the first tab.
 */
@Startup
@ApplicationScoped
@RegisterForReflection(classNames = { SocketChannels.CONNECTION, SocketChannels.WRAPPER, SocketChannels.SOCKET_BASE },
        fields = true, methods = false)
public class SocketChannels {

    static final String CONNECTION = "io.quarkus.websockets.next.runtime.WebSocketConnectionImpl";
    static final String WRAPPER = "io.vertx.ext.web.impl.ServerWebSocketWrapper";
    static final String SOCKET_BASE = "io.vertx.core.http.impl.WebSocketImplBase";
    /** What every open socket answers for its upgrade headers; immutable, so one serves all. */
    static final MultiMap NO_HEADERS = new HeadersAdaptor(EmptyHttpHeaders.INSTANCE);

    private final VarHandle connectionSocket;
    private final Class<?> wrapperType;
    private final VarHandle wrappedSocket;
    private final VarHandle socketHeaders;

    public SocketChannels() {
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
     * The Netty channel under a connection that has just opened. On the way, the Vert.x socket lets go of the
     * upgrade headers it would keep for its lifetime (the upgrade request's own map; only the handshake reads it)
     * and answers {@link #NO_HEADERS} instead: websockets-next answers {@code handshakeRequest()} from a copy of its
     * own, so nothing the endpoint sees changes, and each connection holds ~0.4 KB less live heap.
     */
    public ChannelHandlerContext takeOver(WebSocketConnection connection) {
        WebSocketInternal socket = socketOf(connection);
        socketHeaders.set(socket, NO_HEADERS);
        return socket.channelHandlerContext();
    }

    WebSocketInternal socketOf(WebSocketConnection connection) {
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
