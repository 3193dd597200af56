package io.devarno.realtime.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.devarno.realtime.auth.JwtVerifier;
import io.devarno.realtime.auth.RefusalLog;
import io.devarno.realtime.config.RealtimeConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;

/**
 * In jwt mode every internal API call ({@code /api/v1/realtime/...}) needs a bearer JWT whose {@code groups}
 * hold {@code realtime.api.role}: none or invalid 401, wrong group 403, both with a JSON body. In
 * trusted-header mode the API is open: the port must then stay internal.
 */
@ApplicationScoped
public class ApiAuthFilter {

    private static final String API = "/api/v1/realtime/";

    private final JwtVerifier verifier;
    private final boolean enabled;
    private final String role;
    private final RefusalLog refusals;

    public ApiAuthFilter(JwtVerifier verifier, RealtimeConfig config, RefusalLog refusals) {
        this.refusals = refusals;
        this.verifier = verifier;
        this.enabled = config.auth().mode() == RealtimeConfig.AuthMode.JWT;
        this.role = config.api().role();
    }

    void register(@Observes Filters filters) {
        if (enabled) {
            filters.register(this::handle, 950);
        }
    }

    void handle(RoutingContext context) {
        String path = context.normalizedPath();
        if (path == null || !path.startsWith(API)) {
            context.next();
            return;
        }
        String authorization = context.request().getHeader("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            refusals.refused("api:missing", false, "API call refused (401): no bearer token, " + path);
            deny(context, 401, "unauthorized", "a bearer token is required");
            return;
        }
        String token = authorization.substring(7);
        context.request().pause();
        context.vertx()
                .<JwtVerifier.VerifiedToken>executeBlocking(() -> verifier.verify(token), false)
                .onComplete(outcome -> {
                    context.request().resume();
                    if (outcome.failed()) {
                        logRefusal(outcome.cause(), path);
                        deny(context, 401, "unauthorized", outcome.cause().getMessage());
                    } else if (!outcome.result().groups().contains(role)) {
                        refusals.refused(
                                "api:role",
                                true,
                                "API call refused (403): the token of '"
                                        + outcome.result().userId() + "' has groups "
                                        + outcome.result().groups()
                                        + ", not realtime.api.role '" + role + "', " + path);
                        deny(context, 403, "forbidden", "the token's groups do not hold " + role);
                    } else {
                        context.next();
                    }
                });
    }

    private void logRefusal(Throwable cause, String path) {
        if (cause instanceof JwtVerifier.InvalidTokenException invalid) {
            refusals.refused(
                    "api:" + invalid.kind(),
                    invalid.isConfigurationMistake(),
                    "API call refused (401): token refused: " + invalid.reason() + ", " + path);
        } else {
            refusals.refused("api:failed", true, "API call refused (401): token check failed: " + cause + ", " + path);
        }
    }

    private static void deny(RoutingContext context, int status, String error, String message) {
        if (status == 401) {
            context.response().putHeader("WWW-Authenticate", "Bearer");
        }
        HttpError.end(context.response(), status, error, message);
    }
}
