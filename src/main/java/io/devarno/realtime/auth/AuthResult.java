package io.devarno.realtime.auth;

import io.devarno.realtime.protocol.UpgradeRefusal;

/** The outcome of authenticating an upgrade: an identity, or a refusal with its message. */
public sealed interface AuthResult {

    record Accepted(Identity identity) implements AuthResult {}

    /**
     * @param reason the precise cause, for the log ({@link RefusalLog})
     * @param kind a bounded key for the log's rate limit
     * @param configurationMistake logged at INFO if true, else DEBUG
     */
    record Rejected(UpgradeRefusal refusal, String message, String reason, String kind, boolean configurationMistake)
            implements AuthResult {}

    static AuthResult accepted(Identity identity) {
        return new Accepted(identity);
    }

    static AuthResult rejected(UpgradeRefusal refusal, String message, String reason, boolean configurationMistake) {
        return new Rejected(refusal, message, reason, refusal.label(), configurationMistake);
    }

    /** A refusal that is the client's own doing (logged at DEBUG), told to the client and logged with the same words. */
    static AuthResult rejected(UpgradeRefusal refusal, String message) {
        return rejected(refusal, message, message, false);
    }

    static AuthResult rejected(UpgradeRefusal refusal) {
        return rejected(refusal, refusal.message());
    }

    static AuthResult rejected(JwtVerifier.InvalidTokenException e) {
        UpgradeRefusal refusal = UpgradeRefusal.UNAUTHORIZED;
        return new Rejected(
                refusal,
                e.getMessage(),
                "token refused: " + e.reason(),
                refusal.label() + ":" + e.kind(),
                e.isConfigurationMistake());
    }
}
