package io.devarno.realtime.protocol;

/**
 * Every way the server closes a WebSocket (docs/protocol.md): the close code and reason text the client
 * receives, and the {@code reason} label of {@code realtime_connections_closed_total} (or, for a connection
 * refused right after its upgrade, of {@code realtime_upgrades_rejected_total}).
 */
public enum CloseCode {

    /** No pong and no other frame within {@code realtime.pong-timeout}. */
    PONG_TIMEOUT(1001, "pong timeout", "pong_timeout"),
    /** The pod drains on SIGTERM. */
    SHUTDOWN(1001, "server shutting down", "shutdown"),
    /** Opened while the pod started draining: refused right after the upgrade. */
    DRAINING(1001, "server shutting down", "draining"),
    /** A client frame broke RFC 6455 (unmasked, reserved opcode or bit, oversized control frame, ...). */
    PROTOCOL_ERROR(1002, "protocol error", "protocol_error"),
    BINARY_FRAME(1003, "binary frames are not supported", "binary_frame"),
    /** A text message that is not valid UTF-8 (RFC 6455 section 8.1). */
    INVALID_UTF8(1007, "invalid UTF-8 in a text message", "invalid_utf8"),
    /** The connection reached the endpoint without the upgrade gate's verified identity. */
    UNAUTHENTICATED(1008, "unauthenticated", "unauthenticated"),
    /** {@code realtime.max-connections-per-user} reached while this tab opened: refused right after the upgrade. */
    USER_FULL(1008, "too many connections for this user", "user_full"),
    /** More than {@code realtime.client-rate-limit} client messages in a second. */
    RATE_LIMITED(1008, "rate limit exceeded", "rate_limited"),
    /** A client message over {@code realtime.max-client-frame-size}. */
    MESSAGE_TOO_BIG(1009, "message too big", "message_too_big"),
    INTERNAL_ERROR(1011, "internal error", "error"),
    /** {@code realtime.max-connections} reached while this connection opened: refused right after the upgrade. */
    POD_FULL(1013, "instance is full", "pod_full"),
    /** A v2 connection whose streams' positions could not be read from Redis (docs/protocol.md, protocol v2). */
    HISTORY_UNAVAILABLE(1013, "history unavailable; reconnect later", "history_unavailable"),
    /** More than {@code realtime.send-buffer} messages or {@code send-buffer-bytes} bytes undelivered. */
    SLOW_CONSUMER(1013, "slow consumer: send buffer full", "slow_consumer"),
    /** The token's {@code exp} passed and no {@code auth} message extended it. */
    TOKEN_EXPIRED(4001, "token expired", "token_expired");

    /** The {@code realtime_connections_closed_total} label of a close the client (or its network) started. */
    public static final String CLIENT_LABEL = "client";

    private final int code;
    private final String reason;
    private final String label;

    CloseCode(int code, String reason, String label) {
        this.code = code;
        this.reason = reason;
        this.label = label;
    }

    /** The close code on the wire. */
    public int code() {
        return code;
    }

    /** The close frame's reason text. */
    public String reason() {
        return reason;
    }

    /** The metrics label. */
    public String label() {
        return label;
    }

    /**
     * True for the closes that refuse a connection right after its upgrade: counted as refused upgrades, not as
     * closed connections.
     */
    public boolean refusesUpgrade() {
        return switch (this) {
            case DRAINING, UNAUTHENTICATED, USER_FULL, POD_FULL -> true;
            default -> false;
        };
    }
}
