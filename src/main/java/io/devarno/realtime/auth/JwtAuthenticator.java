package io.devarno.realtime.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

import io.devarno.realtime.protocol.UpgradeRefusal;

/**
 * {@code jwt} mode. The token may come in {@code Authorization: Bearer}, in {@code Sec-WebSocket-Protocol}
 * as a browser sends it ({@code ["bearer-token-carrier", encodeURIComponent("quarkus-http-upgrade#Authorization#Bearer " + jwt)]}),
 * or, when {@code realtime.auth.query-token=true}, in {@code ?access_token=}. A gateway's {@code X-User-ID} or
 * {@code user_id} must match the token's user.
 */
public class JwtAuthenticator implements ConnectionAuthenticator {

    static final String SUBPROTOCOL_PREFIX = "quarkus-http-upgrade#Authorization#";
    private static final String BEARER = "Bearer ";

    private final JwtVerifier verifier;
    private final boolean queryToken;

    public JwtAuthenticator(JwtVerifier verifier, boolean queryToken) {
        this.verifier = verifier;
        this.queryToken = queryToken;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public AuthResult authenticate(UpgradeRequest request) {
        String token = bearer(request.header("Authorization"));
        if (token == null) {
            token = fromSubprotocol(request.header("Sec-WebSocket-Protocol"));
        }
        if (token == null && queryToken) {
            token = request.firstQueryParam("access_token");
        }
        if (token == null) {
            return AuthResult.rejected(
                    UpgradeRefusal.UNAUTHORIZED,
                    "missing bearer token",
                    "no bearer token (Authorization, Sec-WebSocket-Protocol carrier"
                            + (queryToken ? " or ?access_token=)" : ")"),
                    false);
        }
        JwtVerifier.VerifiedToken verified;
        try {
            verified = verifier.verify(token);
        } catch (JwtVerifier.InvalidTokenException e) {
            return AuthResult.rejected(e);
        }
        if (!UserIds.isValid(verified.userId())) {
            String message = "the token's user id is not 1-128 characters of A-Z a-z 0-9 . _ : @ -";
            return AuthResult.rejected(UpgradeRefusal.INVALID_USER_ID, message, message, true);
        }
        String gatewayUser = request.header(USER_ID_HEADER);
        if (gatewayUser == null) {
            gatewayUser = request.firstQueryParam(USER_ID_PARAM);
        }
        if (gatewayUser != null && !gatewayUser.equals(verified.userId())) {
            return AuthResult.rejected(
                    UpgradeRefusal.USER_MISMATCH,
                    UpgradeRefusal.USER_MISMATCH.message(),
                    "the gateway's " + USER_ID_HEADER + " / " + USER_ID_PARAM + " differs from the token's user",
                    true);
        }
        return AuthResult.accepted(new Identity(verified.userId(), OptionalLong.of(verified.expiresAt())));
    }

    static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }

    private static String fromSubprotocol(String header) {
        if (header == null) {
            return null;
        }
        for (String protocol : header.split(",")) {
            String decoded;
            try {
                decoded = URLDecoder.decode(protocol.trim(), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (decoded.startsWith(SUBPROTOCOL_PREFIX)) {
                return bearer(decoded.substring(SUBPROTOCOL_PREFIX.length()));
            }
        }
        return null;
    }
}
