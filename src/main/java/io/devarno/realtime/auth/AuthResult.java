package io.devarno.realtime.auth;

/** The outcome of authenticating an upgrade: an identity, or an HTTP status with an error code. */
public sealed interface AuthResult {

    record Accepted(Identity identity) implements AuthResult {
    }

    record Rejected(int status, String error, String message) implements AuthResult {
    }

    static AuthResult accepted(Identity identity) {
        return new Accepted(identity);
    }

    static AuthResult rejected(int status, String error, String message) {
        return new Rejected(status, error, message);
    }
}
