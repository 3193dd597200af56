package io.devarno.realtime.ws;

import io.vertx.core.json.JsonObject;

/** The error reply {@code {"type":"error","code":..,"message":..}} to a client message; the connection stays open. */
final class ErrorReply {

    private ErrorReply() {}

    static String of(String code, String message) {
        return new JsonObject()
                .put("type", "error")
                .put("code", code)
                .put("message", message)
                .encode();
    }
}
