package io.devarno.realtime.api;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.vertx.ext.web.Router;

/**
 * Every error under {@code /api} and {@code /ws} is a JSON {@code {"error","message"}} (docs/protocol.md), also the
 * ones the REST layer answers itself (405, 406, 415) and the 404 of a path nothing serves, which Quarkus would
 * answer with an HTML page.
 */
@Singleton
public class JsonErrors {

    /** After every other route: a request under /api or /ws that nothing answered. */
    void unmatched(@Observes Router router) {
        router.routeWithRegex("/(api|ws)(/.*)?")
                .order(Integer.MAX_VALUE)
                .handler(context -> HttpError.end(
                        context.response(), 404, "not_found", "no such resource: " + context.normalizedPath()));
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return ApiError.response(404, "not_found", "no such resource");
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return Response.fromResponse(ApiError.response(
                        405,
                        "method_not_allowed",
                        "method not allowed here; allowed: "
                                + String.join(", ", e.getResponse().getAllowedMethods())))
                .allow(e.getResponse().getAllowedMethods())
                .build();
    }

    @ServerExceptionMapper
    public Response notAcceptable(NotAcceptableException e) {
        return ApiError.response(406, "not_acceptable", "this resource answers application/json only");
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        return ApiError.response(415, "unsupported_media_type", "this resource does not take that Content-Type");
    }
}
