package io.devarno.realtime.ws;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.devarno.realtime.auth.ConnectionAuthenticator;
import io.devarno.realtime.hub.Client;

/** {@code {"type":"auth","token":...}}: extends a connection's token (jwt mode). */
@ApplicationScoped
public class TokenRefresh {

    private final ObjectMapper json;
    private final ConnectionAuthenticator authenticator;

    public TokenRefresh(ObjectMapper json, ConnectionAuthenticator authenticator) {
        this.json = json;
        this.authenticator = authenticator;
    }

    public String handle(Client client, String token) {
        return error("bad_request", "auth frames are accepted only in realtime.auth.mode=jwt");
    }

    private String error(String code, String message) {
        return json.createObjectNode().put("type", "error").put("code", code).put("message", message).toString();
    }
}
