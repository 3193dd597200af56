package io.devarno.realtime.ws;

import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

import org.jboss.logging.Logger;

import io.devarno.realtime.config.PodId;
import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.history.Since;
import io.devarno.realtime.history.StreamJoiner;
import io.devarno.realtime.hub.Client;
import io.devarno.realtime.hub.Hub;
import io.devarno.realtime.hub.Recovery;
import io.devarno.realtime.metrics.RealtimeMetrics;
import io.devarno.realtime.presence.PresenceTracker;
import io.devarno.realtime.protocol.CloseCode;
import io.devarno.realtime.transport.ClientTransport;
import io.devarno.realtime.transport.ProtocolViolations;
import io.devarno.realtime.transport.WebSocketTransports;
import io.quarkus.websockets.next.InboundProcessingMode;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.UserData.TypedKey;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * The WebSocket at {@code /ws} (docs/protocol.md). Every callback runs on the connection's event loop and never
 * blocks, so a connection's callbacks run one at a time without websockets-next's per-connection queue (SERIAL
 * mode keeps one, ~0.24 KB per open connection). The one answer computed elsewhere, a token refresh, can
 * therefore be overtaken by the answer to a later frame.
 */
@WebSocket(path = "/ws", inboundProcessingMode = InboundProcessingMode.CONCURRENT)
public class RealtimeSocket {

    private static final Logger LOG = Logger.getLogger(RealtimeSocket.class);
    private static final TypedKey<Client> CLIENT = new TypedKey<>("realtime.client");

    private final Hub hub;
    private final PresenceTracker presence;
    private final ClientMessages messages;
    private final RealtimeMetrics metrics;
    private final WebSocketTransports transports;
    private final UpgradeAdmission admission;
    private final String podId;
    private final int clientRateLimit;
    private final StreamJoiner joiner;
    private final int maxHeld;

    public RealtimeSocket(
            Hub hub,
            PresenceTracker presence,
            ClientMessages messages,
            RealtimeMetrics metrics,
            WebSocketTransports transports,
            UpgradeAdmission admission,
            PodId podId,
            RealtimeConfig config,
            StreamJoiner joiner) {
        this.hub = hub;
        this.presence = presence;
        this.messages = messages;
        this.metrics = metrics;
        this.transports = transports;
        this.admission = admission;
        this.podId = podId.value();
        this.clientRateLimit = config.clientRateLimit();
        this.joiner = joiner;
        // A recovery holds at most what the streams keep (or a send buffer's worth): past that, the connection is
        // closed as a slow consumer and comes back with its position.
        this.maxHeld = Math.max(
                config.sendBuffer(), config.history().size() + config.history().broadcastSize());
    }

    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection connection) {
        String userId = connection.handshakeRequest().header(UpgradeGate.VERIFIED_USER);
        if (userId == null) {
            transports.close(connection, CloseCode.UNAUTHENTICATED.code(), CloseCode.UNAUTHENTICATED.reason());
            return;
        }
        String expiry = connection.handshakeRequest().header(UpgradeGate.VERIFIED_EXPIRY);
        ClientTransport transport = transports.open(connection);
        if (!transport.canWrite()) {
            // The client hung up while its upgrade was under way (a token still being verified): a socket whose
            // channel closed before it opened gets no close event, so registered it would count until the pong timeout.
            LOG.debugf("connection %s closed during its upgrade: not registered", connection.id());
            return;
        }
        Client client = new Client(
                transport,
                userId,
                podId,
                expiry == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(expiry)),
                this::release);
        boolean v2 = Subprotocols.V2.equals(connection.subprotocol());
        if (v2) {
            client.speakV2(new Recovery(maxHeld));
        }
        CompletionStage<?>[] subscribed = {null};
        Hub.Registration registration = hub.register(client, stage -> subscribed[0] = stage);
        if (registration != Hub.Registration.ACCEPTED) {
            metrics.upgradeRejected(registration.refusal());
            client.close(registration.refusal().afterUpgrade());
            return;
        }
        transports.handOverIdleTimeout(transport);
        connection.userData().put(CLIENT, client);
        metrics.connectionOpened();
        admission.track(presence.joined(client), subscribed[0]);
        if (v2) {
            joinStreams(client, connection.handshakeRequest().query());
        }
    }

    /** v2: the welcome, the replay after the client's positions, then live; without Redis the client is asked to come back. */
    private void joinStreams(Client client, String query) {
        Since user = Since.parse(QueryParameters.first(query, "since"));
        Since broadcast = Since.parse(QueryParameters.first(query, "broadcast_since"));
        joiner.join(client, user, broadcast).subscribe().with(joined -> {}, failure -> {
            LOG.debugf("connection %s could not join its streams: %s", client.id(), failure.getMessage());
            client.close(CloseCode.HISTORY_UNAVAILABLE);
        });
    }

    @OnTextMessage
    @NonBlocking
    public Uni<String> onText(String text, WebSocketConnection connection) {
        Client client = connection.userData().get(CLIENT);
        if (client == null) {
            return Uni.createFrom().nullItem();
        }
        client.markActive();
        if (!client.admitFrame(clientRateLimit)) {
            client.close(CloseCode.RATE_LIMITED);
            return Uni.createFrom().nullItem();
        }
        return messages.handle(client, text);
    }

    @OnBinaryMessage
    @NonBlocking
    public void onBinary(Buffer data, WebSocketConnection connection) {
        Client client = connection.userData().get(CLIENT);
        if (client != null) {
            client.close(CloseCode.BINARY_FRAME);
        }
    }

    @OnPongMessage
    @NonBlocking
    public void onPong(Buffer data, WebSocketConnection connection) {
        Client client = connection.userData().get(CLIENT);
        if (client != null) {
            client.markActive();
            presence.refresh(client);
        }
    }

    @OnError
    @NonBlocking
    public void onError(Throwable failure, WebSocketConnection connection) {
        Client client = connection.userData().get(CLIENT);
        if (client == null) {
            LOG.warnf(failure, "Closing connection %s: it failed before it was registered", connection.id());
            transports.close(connection, CloseCode.INTERNAL_ERROR.code(), CloseCode.INTERNAL_ERROR.reason());
            return;
        }
        if (ProtocolViolations.isTooBig(failure)) {
            client.close(CloseCode.MESSAGE_TOO_BIG);
        } else {
            LOG.debugf("closing connection %s after an error: %s", client.id(), failure);
            client.close(CloseCode.INTERNAL_ERROR);
        }
    }

    @OnClose
    @NonBlocking
    public void onClose(WebSocketConnection connection) {
        Client client = connection.userData().get(CLIENT);
        if (client == null) {
            return;
        }
        release(client);
    }

    /**
     * Takes a closed (or closing) connection out of the hub and out of presence. Runs when the server decides
     * to close, without waiting for a close handshake that a dead or slow peer never completes, and again,
     * harmlessly, when the close completes.
     */
    void release(Client client) {
        client.markClosed();
        if (hub.unregister(client)) {
            presence.left(client);
            metrics.connectionClosed(client.closeReason());
        }
    }
}
