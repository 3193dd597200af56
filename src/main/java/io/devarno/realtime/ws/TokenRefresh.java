package io.devarno.realtime.ws;

import jakarta.enterprise.context.ApplicationScoped;

import io.devarno.realtime.auth.JwtVerifier;
import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.hub.Client;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code {"type":"auth","token":"<jwt>"}}: a fresh token for the same user extends the connection past its
 * first token's {@code exp}; anything else gets an error reply and no extension (jwt mode only). A refresh
 * never shortens the connection: the answer's {@code exp} is the connection's, the later of the two.
 */
@ApplicationScoped
public class TokenRefresh {

    private final ObjectMapper json;
    private final JwtVerifier verifier;
    private final boolean jwtMode;

    public TokenRefresh(ObjectMapper json, JwtVerifier verifier, RealtimeConfig config) {
        this.json = json;
        this.verifier = verifier;
        this.jwtMode = config.auth().mode() == RealtimeConfig.AuthMode.JWT;
    }

    public Uni<String> handle(Client client, String token) {
        if (!jwtMode) {
            return Uni.createFrom()
                    .item(ErrorReply.of("bad_request", "auth frames are accepted only in realtime.auth.mode=jwt"));
        }
        if (token == null) {
            return Uni.createFrom().item(ErrorReply.of("bad_request", "auth frame needs a string \"token\""));
        }
        return Uni.createFrom()
                .item(() -> refresh(client, token))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private String refresh(Client client, String token) {
        JwtVerifier.VerifiedToken verified;
        try {
            verified = verifier.verify(token);
        } catch (JwtVerifier.InvalidTokenException e) {
            return ErrorReply.of("invalid_token", e.getMessage());
        }
        if (!verified.userId().equals(client.userId())) {
            return ErrorReply.of("user_mismatch", "the token is for another user");
        }
        long expiresAt = client.extendToken(verified.expiresAt());
        return json.createObjectNode()
                .put("type", "auth")
                .put("ok", true)
                .put("exp", expiresAt)
                .toString();
    }
}
