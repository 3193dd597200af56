package io.devarno.realtime.api;

import jakarta.ws.rs.core.Response;

final class Responses {

    private Responses() {}

    static Response invalidUserId() {
        return ApiError.response(400, "invalid_user_id", "user id must be 1-128 characters of A-Z a-z 0-9 . _ : @ -");
    }

    static Response tooLarge(long maxBytes) {
        return ApiError.response(413, "payload_too_large", tooLargeMessage(maxBytes));
    }

    static String tooLargeMessage(long maxBytes) {
        return "the body is larger than realtime.max-message-size (" + maxBytes + " bytes)";
    }

    static Response redisUnavailable() {
        return ApiError.response(503, "redis_unavailable", "Redis is unavailable; retry later");
    }
}
