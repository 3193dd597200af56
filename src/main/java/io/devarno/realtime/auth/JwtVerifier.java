package io.devarno.realtime.auth;

import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwt.consumer.ErrorCodeValidator;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;

import io.devarno.realtime.config.RealtimeConfig;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Verifies a JWT in-service with smallrye-jwt: signature (key from {@code mp.jwt.verify.publickey.location},
 * PEM or JWKS), {@code exp} (without smallrye-jwt's clock-skew allowance), {@code iat}, a {@code sub}, {@code upn} or
 * {@code preferred_username}, the user claim, and issuer and audience when {@code mp.jwt.verify.issuer} /
 * {@code mp.jwt.verify.audiences} are set. May block (a remote JWKS is fetched): call it off the event loop.
 */
@ApplicationScoped
public class JwtVerifier {

    public record VerifiedToken(String userId, long expiresAt, Set<String> groups) {}

    /**
     * A refused token. {@link #getMessage()} is what the client is told; {@link #reason()} is the precise cause for
     * the log, and {@link #isConfigurationMistake()} tells an issuer or deployment mistake (a missing required claim,
     * a wrong issuer or audience, a key the service does not trust) from a client's ordinary expiry or missing token.
     */
    public static class InvalidTokenException extends Exception {
        private final String reason;
        private final String kind;
        private final boolean configurationMistake;

        public InvalidTokenException(String message) {
            this(message, message, "missing", false);
        }

        InvalidTokenException(String message, String reason, String kind, boolean configurationMistake) {
            super(message, null, false, false);
            this.reason = reason;
            this.kind = kind;
            this.configurationMistake = configurationMistake;
        }

        public String reason() {
            return reason;
        }

        /** A bounded key (which checks failed), for the log's rate limit. */
        public String kind() {
            return kind;
        }

        public boolean isConfigurationMistake() {
            return configurationMistake;
        }
    }

    private static final String INVALID = "invalid or expired token";

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
            throw refusal(e);
        }
        long now = System.currentTimeMillis() / 1000;
        if (jwt.getExpirationTime() <= now) {
            // smallrye-jwt allows mp.jwt.verify.clock.skew (60 s by default) past exp; the heartbeat closes a
            // connection at exp (4001), so such a token would open a connection only to lose it at once.
            throw new InvalidTokenException(
                    INVALID,
                    "the token expired at " + Instant.ofEpochSecond(jwt.getExpirationTime()) + " ("
                            + (now - jwt.getExpirationTime()) + " s ago)",
                    "expired",
                    false);
        }
        Object user = jwt.getClaim(userClaim);
        if (user == null) {
            String message = "token has no '" + userClaim + "' claim";
            throw new InvalidTokenException(message, message + " (realtime.auth.user-claim)", "user-claim", true);
        }
        Set<String> groups = jwt.getGroups() == null ? Set.of() : jwt.getGroups();
        return new VerifiedToken(user.toString(), jwt.getExpirationTime(), groups);
    }

    /**
     * smallrye-jwt says only "SRJWT08004: Token is invalid"; the jose4j exception under it lists each failed check
     * ("No Issued At (iat) claim present.", the issuer or audience expected, "JWS signature is invalid").
     */
    static InvalidTokenException refusal(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidJwtException invalid
                    && !invalid.getErrorDetails().isEmpty()) {
                String details = invalid.getErrorDetails().stream()
                        .map(ErrorCodeValidator.Error::getErrorMessage)
                        .collect(Collectors.joining(" "));
                String codes = invalid.getErrorDetails().stream()
                        .map(error -> Integer.toString(error.getErrorCode()))
                        .sorted()
                        .distinct()
                        .collect(Collectors.joining(","));
                boolean onlyExpired = invalid.getErrorDetails().stream()
                        .allMatch(error -> error.getErrorCode() == ErrorCodes.EXPIRED);
                return new InvalidTokenException(INVALID, details, "jose4j:" + codes, !onlyExpired);
            }
        }
        StringBuilder chain = new StringBuilder();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && chain.indexOf(cause.getMessage()) < 0) {
                chain.append(chain.isEmpty() ? "" : ": ").append(cause.getMessage());
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return new InvalidTokenException(
                INVALID,
                chain.isEmpty() ? e.getClass().getName() : chain.toString(),
                root.getClass().getName(),
                true);
    }
}
