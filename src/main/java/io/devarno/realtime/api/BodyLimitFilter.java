package io.devarno.realtime.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.devarno.realtime.config.RealtimeConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;

/** Answers a declared body over {@code realtime.max-message-size} with 413 and a JSON body, before reading it. */
@ApplicationScoped
public class BodyLimitFilter {

    private final long maxBytes;

    public BodyLimitFilter(RealtimeConfig config) {
        this.maxBytes = config.maxMessageSize().asLongValue();
    }

    void register(@Observes Filters filters) {
        filters.register(this::handle, 900);
    }

    void handle(RoutingContext context) {
        String length = context.request().getHeader("Content-Length");
        if (length != null && context.normalizedPath().startsWith("/api/")) {
            try {
                if (Long.parseLong(length.trim()) > maxBytes) {
                    context.response().putHeader("Connection", "close");
                    HttpError.end(context.response(), 413, "payload_too_large", Responses.tooLargeMessage(maxBytes));
                    return;
                }
            } catch (NumberFormatException e) {
                // Vert.x rejects a malformed Content-Length itself
            }
        }
        context.next();
    }
}
