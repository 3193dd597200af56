package io.devarno.realtime.ws;

import jakarta.inject.Singleton;

import io.devarno.realtime.hub.Client;
import io.devarno.realtime.presence.PresenceTracker;
import io.smallrye.mutiny.Uni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The client-to-server messages (docs/protocol.md): JSON objects with a {@code type}, one per text message.
 * {@code ping} is answered {@code pong} and refreshes presence; {@code auth} extends the token; anything else
 * gets a {@code bad_request} error reply and the connection stays open.
 */
@Singleton
public class ClientMessages {

    static final String PONG = "{\"type\":\"pong\"}";

    private final ObjectMapper json;
    private final PresenceTracker presence;
    private final TokenRefresh tokenRefresh;

    public ClientMessages(ObjectMapper json, PresenceTracker presence, TokenRefresh tokenRefresh) {
        this.json = json;
        this.presence = presence;
        this.tokenRefresh = tokenRefresh;
    }

    /** Emits the reply. */
    public Uni<String> handle(Client client, String text) {
        JsonNode message;
        try {
            message = json.readTree(text);
        } catch (Exception e) {
            return answer(ErrorReply.of("bad_request", "frame is not JSON"));
        }
        if (message == null || !message.isObject() || !message.path("type").isTextual()) {
            return answer(ErrorReply.of("bad_request", "frame must be a JSON object with a string \"type\""));
        }
        return switch (message.get("type").asText()) {
            case "ping" -> {
                presence.refresh(client);
                yield answer(PONG);
            }
            case "auth" ->
                tokenRefresh.handle(
                        client,
                        message.path("token").isTextual() ? message.get("token").asText() : null);
            default -> answer(ErrorReply.of("bad_request", "unknown frame type; expected \"ping\" or \"auth\""));
        };
    }

    private static Uni<String> answer(String reply) {
        return Uni.createFrom().item(reply);
    }
}
