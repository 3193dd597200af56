package io.devarno.realtime.api;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Ends a response with the service's error body {@code {"error":"<code>","message":"..."}}, for the Vert.x
 * filters that answer before any REST resource runs (upgrade gate, API auth, body limit, console).
 */
public final class HttpError {

    private HttpError() {
    }

    public static void end(HttpServerResponse response, int status, String error, String message) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", error).put("message", message).encode());
    }
}
