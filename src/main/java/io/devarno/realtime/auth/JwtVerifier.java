package io.devarno.realtime.auth;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.devarno.realtime.config.RealtimeConfig;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Verifies a JWT in-service with smallrye-jwt: signature (key from {@code mp.jwt.verify.publickey.location},
 * PEM or JWKS), {@code exp}, and issuer and audience when {@code mp.jwt.verify.issuer} /
 * {@code mp.jwt.verify.audiences} are set. May block (a remote JWKS is fetched): call it off the event loop.
 */
@ApplicationScoped
public class JwtVerifier {

    public record VerifiedToken(String userId, long expiresAt, Set<String> groups) {
    }

    public static class InvalidTokenException extends Exception {
        public InvalidTokenException(String message) {
            super(message, null, false, false);
        }
    }

    private final JWTParser parser;
    private final String userClaim;

    public JwtVerifier(JWTParser parser, RealtimeConfig config) {
        this.parser = parser;
        this.userClaim = config.auth().userClaim();
    }

    public VerifiedToken verify(String token) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("missing token");
        }
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token.trim());
        } catch (ParseException | RuntimeException e) {
            throw new InvalidTokenException("invalid or expired token");
        }
        Object user = jwt.getClaim(userClaim);
        if (user == null) {
            throw new InvalidTokenException("token has no '" + userClaim + "' claim");
        }
        Set<String> groups = jwt.getGroups() == null ? Set.of() : jwt.getGroups();
        return new VerifiedToken(user.toString(), jwt.getExpirationTime(), groups);
    }
}
