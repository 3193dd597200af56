package io.devarno.realtime.protocol;

/**
 * Every reason an upgrade to {@code /ws} is refused before a WebSocket exists (docs/protocol.md): the HTTP
 * status, the {@code error} code and default {@code message} of the JSON body, and the {@code reason} label of
 * {@code realtime_upgrades_rejected_total}. A refusal found only after the upgrade (another tab of the same
 * user won the last slot) is a close instead: {@link #afterUpgrade()}.
 */
public enum UpgradeRefusal {
    DRAINING(503, "draining", "server is shutting down; reconnect to another instance", "draining", CloseCode.DRAINING),
    ORIGIN_NOT_ALLOWED(403, "origin_not_allowed", "origin is not in realtime.allowed-origins", "origin", null),
    UNAUTHORIZED(401, "unauthorized", "token could not be verified", "unauthorized", null),
    INVALID_USER_ID(
            400,
            "invalid_user_id",
            "user id must be 1-128 characters of A-Z a-z 0-9 . _ : @ -",
            "invalid_user_id",
            null),
    USER_MISMATCH(403, "user_mismatch", "X-User-ID / user_id differs from the token's subject", "user_mismatch", null),
    OVERLOADED(
            503,
            "overloaded",
            "too many connections are opening on this instance; retry after Retry-After seconds",
            "overloaded",
            null),
    POD_FULL(
            503,
            "pod_full",
            "this instance holds realtime.max-connections connections",
            "pod_full",
            CloseCode.POD_FULL),
    USER_FULL(
            429,
            "too_many_connections",
            "this user holds realtime.max-connections-per-user connections on this instance",
            "user_full",
            CloseCode.USER_FULL);

    private final int status;
    private final String error;
    private final String message;
    private final String label;
    private final CloseCode afterUpgrade;

    UpgradeRefusal(int status, String error, String message, String label, CloseCode afterUpgrade) {
        this.status = status;
        this.error = error;
        this.message = message;
        this.label = label;
        this.afterUpgrade = afterUpgrade;
    }

    public int status() {
        return status;
    }

    /** The JSON body's {@code error} code. */
    public String error() {
        return error;
    }

    /** The JSON body's {@code message} when there is no more precise one. */
    public String message() {
        return message;
    }

    /** The metrics label. */
    public String label() {
        return label;
    }

    /** The close sent when the same refusal is found after the upgrade. */
    public CloseCode afterUpgrade() {
        if (afterUpgrade == null) {
            throw new IllegalStateException(this + " is decided before the upgrade only");
        }
        return afterUpgrade;
    }
}
