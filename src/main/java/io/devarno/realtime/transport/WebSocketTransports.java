package io.devarno.realtime.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.devarno.realtime.config.RealtimeConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.impl.WebSocketInternal;
import io.vertx.core.http.impl.headers.HeadersAdaptor;

/**
 * Gives each websockets-next connection its {@link ClientTransport}: the Netty channel under it, where the hub
 * writes pre-encoded frames, and drops the Vert.x socket's copy of the upgrade headers.
 * websockets-next only offers a {@code Uni} per send (a String, an encode, a context capture and a flush per
 * frame); the fan-out needs to encode a message once and flush a batch once. The Vert.x socket is a private
 * field of websockets-next's connection (wrapped by Vert.x Web), hence reflective reads (VarHandles), resolved
 * once at start-up. When an upgrade of either library (or a native image without them registered) takes one away,
 * start-up goes on: connections are served through websockets-next's public API ({@link SenderTransport}),
 * correct but costlier per frame, and the start-up log says so (docs/internals.md).
 * The channel's frame decoder is replaced by ours ({@link ClientFrameDecoder}): RFC 6455 violations and oversized
 * client messages get a close frame.
 */
@Startup
@Singleton
@RegisterForReflection(
        classNames = {WebSocketTransports.CONNECTION, WebSocketTransports.WRAPPER, WebSocketTransports.SOCKET_BASE},
        fields = true,
        methods = false)
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
    /** For connections served without the channel: one executor per event-loop thread, as the hub's batches need. */
    private final Map<Thread, Executor> eventLoops = new ConcurrentHashMap<>();

    private final AtomicBoolean unexpectedSocketLogged = new AtomicBoolean();
    private final int maxClientMessageBytes;
    private final AtomicBoolean decoderMissingLogged = new AtomicBoolean();

    @Inject
    public WebSocketTransports(RealtimeConfig config) {
        this(config, CONNECTION, WRAPPER, SOCKET_BASE);
    }

    /** Where the private fields are looked for (other names only in tests: what an upgrade would do). */
    WebSocketTransports(RealtimeConfig config, String connection, String wrapper, String socketBase) {
        maxClientMessageBytes = (int) config.maxClientFrameSize().asLongValue();
        connectionSocket = varHandle(connection, "webSocket", ServerWebSocket.class);
        Class<?> wrapperClass = type(wrapper);
        wrapperType = wrapperClass;
        wrappedSocket = wrapperClass == null ? null : varHandle(wrapper, "delegate", ServerWebSocket.class);
        socketHeaders = varHandle(socketBase, "headers", MultiMap.class);
    }

    private static Class<?> type(String name) {
        try {
            return Class.forName(name, false, WebSocketConnection.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static VarHandle varHandle(String className, String field, Class<?> fieldType) {
        try {
            Class<?> owner = Class.forName(className, false, WebSocketConnection.class.getClassLoader());
            return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findVarHandle(owner, field, fieldType);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warnf(
                    "%s.%s cannot be reached in this Quarkus/Vert.x version (%s): see docs/internals.md",
                    className, field, e);
            return null;
        }
    }

    /** Whether fan-out writes pre-encoded frames to the channel (else through websockets-next's send API). */
    public boolean directWrites() {
        return connectionSocket != null;
    }

    /** Whether an open connection's Vert.x socket lets go of its upgrade headers. */
    public boolean releasesUpgradeHeaders() {
        return directWrites() && socketHeaders != null;
    }

    /**
     * The transport of a connection that has just opened, called on its event loop. On the way, the Vert.x socket
     * lets go of the upgrade headers it would keep for its lifetime (the upgrade request's own map; only the
     * handshake reads it) and answers an empty map instead: websockets-next answers {@code handshakeRequest()}
     * from a copy of its own, so nothing the endpoint sees changes, and each connection holds ~0.4 KB less heap.
     */
    public ClientTransport open(WebSocketConnection connection) {
        WebSocketInternal socket = directWrites() ? socketOf(connection) : null;
        if (socket == null) {
            return new SenderTransport(
                    connection,
                    eventLoops.computeIfAbsent(Thread.currentThread(), thread -> runOn(Vertx.currentContext())));
        }
        if (socketHeaders != null) {
            socketHeaders.set(socket, noHeaders);
        }
        ChannelHandlerContext channel = socket.channelHandlerContext();
        ClientFrameDecoder decoder = ProtocolViolations.install(channel, maxClientMessageBytes);
        if (decoder == null && decoderMissingLogged.compareAndSet(false, true)) {
            LOG.warn("No WebSocket frame decoder found in the channel pipeline: protocol violations and oversized "
                    + "frames end the TCP connection without a close frame");
        }
        return new ChannelTransport(connection, channel, decoder);
    }

    private static Executor runOn(Context context) {
        if (context == null) {
            throw new IllegalStateException("a WebSocket opened outside a Vert.x context");
        }
        return task -> context.runOnContext(ignored -> task.run());
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
        while (wrapperType != null && wrapperType.isInstance(socket)) {
            socket = (ServerWebSocket) wrappedSocket.get(socket);
        }
        if (socket instanceof WebSocketInternal internal) {
            return internal;
        }
        if (unexpectedSocketLogged.compareAndSet(false, true)) {
            LOG.warnf(
                    "Unexpected WebSocket implementation %s: its connections are written through websockets-next's "
                            + "send API (see docs/internals.md)",
                    socket == null ? "null" : socket.getClass().getName());
        }
        return null;
    }
}
