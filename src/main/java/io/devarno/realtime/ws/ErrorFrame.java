package io.devarno.realtime.ws;

import io.vertx.core.json.JsonObject;

/** The error frame {@code {"type":"error","code":..,"message":..}}; the connection stays open. */
final class ErrorFrame {

    private ErrorFrame() {
    }

    static String of(String code, String message) {
        return new JsonObject().put("type", "error").put("code", code).put("message", message).encode();
    }
}
