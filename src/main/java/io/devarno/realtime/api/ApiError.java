package io.devarno.realtime.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The REST API's error body {@code {"error":"<code>","message":"..."}} (docs/protocol.md#rest-api). */
@RegisterForReflection
public record ApiError(String error, String message) {

    public static WebApplicationException of(int status, String error, String message) {
        return new WebApplicationException(response(status, error, message));
    }

    public static Response response(int status, String error, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(error, message))
                .build();
    }
}
