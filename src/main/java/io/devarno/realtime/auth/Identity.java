package io.devarno.realtime.auth;

import java.util.OptionalLong;

/**
 * Who a connection belongs to. {@code expiresAt} is the token's {@code exp} in epoch seconds, when the
 * identity came from a token; the connection is closed with 4001 when it passes.
 */
public record Identity(String userId, OptionalLong expiresAt) {

    public static Identity untimed(String userId) {
        return new Identity(userId, OptionalLong.empty());
    }
}
