package io.devarno.realtime.auth;

import io.devarno.realtime.protocol.UpgradeRefusal;

/** The outcome of authenticating an upgrade: an identity, or a refusal with its message. */
public sealed interface AuthResult {

    record Accepted(Identity identity) implements AuthResult {
    }

    record Rejected(UpgradeRefusal refusal, String message) implements AuthResult {
    }

    static AuthResult accepted(Identity identity) {
        return new Accepted(identity);
    }

    static AuthResult rejected(UpgradeRefusal refusal, String message) {
        return new Rejected(refusal, message);
    }

    static AuthResult rejected(UpgradeRefusal refusal) {
        return new Rejected(refusal, refusal.message());
    }
}
