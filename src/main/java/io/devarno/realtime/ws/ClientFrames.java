package io.devarno.realtime.ws;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.devarno.realtime.hub.Client;
import io.devarno.realtime.presence.PresenceTracker;
import io.smallrye.mutiny.Uni;

/**
 * The client-to-server protocol (contract section 3): JSON objects with a {@code type}. {@code ping} is
 * answered {@code pong} and refreshes presence; {@code auth} extends the token; anything else gets a
 * {@code bad_request} error frame and the connection stays open.
 */
@ApplicationScoped
public class ClientFrames {

    static final String PONG = "{\"type\":\"pong\"}";

    private final ObjectMapper json;
    private final PresenceTracker presence;
    private final TokenRefresh tokenRefresh;

    public ClientFrames(ObjectMapper json, PresenceTracker presence, TokenRefresh tokenRefresh) {
        this.json = json;
        this.presence = presence;
        this.tokenRefresh = tokenRefresh;
    }

    /** Emits the frame to answer with. */
    public Uni<String> handle(Client client, String text) {
        JsonNode frame;
        try {
            frame = json.readTree(text);
        } catch (Exception e) {
            return answer(ErrorFrame.of("bad_request", "frame is not JSON"));
        }
        if (frame == null || !frame.isObject() || !frame.path("type").isTextual()) {
            return answer(ErrorFrame.of("bad_request", "frame must be a JSON object with a string \"type\""));
        }
        return switch (frame.get("type").asText()) {
            case "ping" -> {
                presence.refresh(client);
                yield answer(PONG);
            }
            case "auth" -> tokenRefresh.handle(client, frame.path("token").isTextual() ? frame.get("token").asText() : null);
            default -> answer(ErrorFrame.of("bad_request", "unknown frame type; expected \"ping\" or \"auth\""));
        };
    }

    private static Uni<String> answer(String frame) {
        return Uni.createFrom().item(frame);
    }

}
