package io.devarno.realtime.console;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.devarno.realtime.api.HttpError;
import io.devarno.realtime.config.RealtimeConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;

/**
 * Guards the console: the page ({@code /console}, {@code /console/...}) and its API
 * ({@code /api/v1/realtime/console/...}). With {@code realtime.console.enabled=false} (the default) both answer
 * 404 with a JSON body, as if they did not exist. When enabled, {@code /console} redirects to {@code /console/}
 * (so the page's relative URLs resolve) and the page is served with a strict Content-Security-Policy: it loads
 * nothing from anywhere but this service.
 */
@ApplicationScoped
public class ConsoleFilter {

    static final String PAGE = "/console";
    static final String API = "/api/v1/realtime/console";

    /** Same-origin scripts, styles and calls only; WebSockets to this host (connect-src 'self' covers ws: in CSP 3). */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final boolean enabled;

    public ConsoleFilter(RealtimeConfig config) {
        this.enabled = config.console().enabled();
    }

    /** Runs before the API's auth and body-limit filters (950, 900): a disabled console does not exist at all. */
    void register(@Observes Filters filters) {
        filters.register(this::handle, 1000);
    }

    void handle(RoutingContext context) {
        String path = context.normalizedPath();
        boolean page = isUnder(path, PAGE);
        if (!page && !isUnder(path, API)) {
            context.next();
            return;
        }
        if (!enabled) {
            HttpError.end(
                    context.response(), 404, "not_found", "the console is disabled (realtime.console.enabled=false)");
            return;
        }
        if (page) {
            if (path.equals(PAGE)) {
                String query = context.request().query();
                context.response()
                        .setStatusCode(302)
                        .putHeader("Location", PAGE + "/" + (query == null ? "" : "?" + query))
                        .end();
                return;
            }
            context.response()
                    .putHeader("Content-Security-Policy", CSP)
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader("Cache-Control", "no-cache");
        }
        context.next();
    }

    static boolean isUnder(String path, String prefix) {
        return path != null
                && path.startsWith(prefix)
                && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }
}
