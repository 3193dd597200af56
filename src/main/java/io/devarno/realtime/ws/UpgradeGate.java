package io.devarno.realtime.ws;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.devarno.realtime.api.HttpError;
import io.devarno.realtime.auth.AuthResult;
import io.devarno.realtime.auth.ConnectionAuthenticator;
import io.devarno.realtime.auth.Identity;
import io.devarno.realtime.auth.RefusalLog;
import io.devarno.realtime.auth.UpgradeRequest;
import io.devarno.realtime.hub.Hub;
import io.devarno.realtime.metrics.RealtimeMetrics;
import io.devarno.realtime.protocol.UpgradeRefusal;
import io.devarno.realtime.transport.AcceptPacer;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;

/**
 * Every check an upgrade to {@code /ws} must pass before a WebSocket exists, answered with an HTTP status
 * and a JSON body {@code {"error":..,"message":..}}: draining (503), origin (403), too many upgrades waiting for
 * Redis (503 with {@code Retry-After}, {@link UpgradeAdmission}), identity (401/400/403), pod full (503), user full (429). The verified identity travels to the endpoint in request headers that
 * this filter alone writes (client-sent copies are always removed).
 */
@ApplicationScoped
public class UpgradeGate {

    /** Lower case, as websockets-next keeps names: an upper-case name would be copied on every connection. */
    static final String VERIFIED_USER = "x-realtime-verified-user";

    static final String VERIFIED_EXPIRY = "x-realtime-verified-expiry";
    private static final int PRIORITY = 1000;
    private static final String SUBPROTOCOLS = "sec-websocket-protocol";
    private static final String CARRIED_HEADER_PREFIX = "quarkus-http-upgrade";

    private final ConnectionAuthenticator authenticator;
    private final OriginPolicy origins;
    private final Hub hub;
    private final RealtimeMetrics metrics;
    private final UpgradeAdmission admission;
    private final RefusalLog refusals;
    private final AcceptPacer pacer;
    private final HandshakeHeaders handshakeHeaders = new HandshakeHeaders();

    public UpgradeGate(
            ConnectionAuthenticator authenticator,
            OriginPolicy origins,
            Hub hub,
            RealtimeMetrics metrics,
            UpgradeAdmission admission,
            RefusalLog refusals,
            AcceptPacer pacer) {
        this.refusals = refusals;
        this.pacer = pacer;
        this.authenticator = authenticator;
        this.origins = origins;
        this.hub = hub;
        this.metrics = metrics;
        this.admission = admission;
    }

    void register(@Observes Filters filters) {
        filters.register(this::handle, PRIORITY);
    }

    void handle(RoutingContext context) {
        var request = context.request();
        pacer.watch(request);
        request.headers().remove(VERIFIED_USER);
        request.headers().remove(VERIFIED_EXPIRY);
        if (!isSocketPath(context.normalizedPath())) {
            context.next();
            return;
        }
        if (hub.isDraining()) {
            reject(context, UpgradeRefusal.DRAINING);
            return;
        }
        String origin = request.getHeader("Origin");
        if (!origins.allows(origin)) {
            refusals.refused(
                    UpgradeRefusal.ORIGIN_NOT_ALLOWED.label(),
                    true,
                    "upgrade refused: Origin '" + printable(origin) + "' is not in realtime.allowed-origins ("
                            + origins.describe() + ")");
            reject(context, UpgradeRefusal.ORIGIN_NOT_ALLOWED);
            return;
        }
        if (!admission.admits()) {
            // Before authentication: a refusal must cost less than the work it saves.
            context.response().putHeader("Retry-After", Long.toString(admission.retryAfterSeconds()));
            reject(context, UpgradeRefusal.OVERLOADED);
            return;
        }
        UpgradeRequest upgrade = new UpgradeRequest(request::getHeader, request.params()::getAll);
        if (!authenticator.blocking()) {
            admit(context, authenticator.authenticate(upgrade));
            return;
        }
        request.pause();
        context.vertx()
                .<AuthResult>executeBlocking(() -> authenticator.authenticate(upgrade), false)
                .onComplete(outcome -> {
                    if (context.response().closed()) {
                        // The client hung up while its token was verified: nothing to answer and nothing to open.
                        return;
                    }
                    request.resume();
                    if (outcome.succeeded()) {
                        admit(context, outcome.result());
                    } else {
                        refusals.refused(
                                "authenticator-failed",
                                true,
                                "upgrade refused (401): the authenticator failed: " + outcome.cause());
                        reject(context, UpgradeRefusal.UNAUTHORIZED);
                    }
                });
    }

    private void admit(RoutingContext context, AuthResult result) {
        var request = context.request();
        if (result instanceof AuthResult.Rejected rejected) {
            refusals.refused(
                    rejected.kind(),
                    rejected.configurationMistake(),
                    "upgrade refused (" + rejected.refusal().status() + " "
                            + rejected.refusal().error() + "): " + rejected.reason());
            reject(context, rejected.refusal(), rejected.message());
            return;
        }
        Identity identity = ((AuthResult.Accepted) result).identity();
        Hub.Registration registration = hub.admits(identity.userId());
        if (registration != Hub.Registration.ACCEPTED) {
            reject(context, registration.refusal());
            return;
        }
        handshakeHeaders.keepOnlyHandshakeHeaders(request.headers());
        withoutCarriedHeaders(request.getHeader(SUBPROTOCOLS))
                .map(Subprotocols::preferV2)
                .ifPresentOrElse(
                        offered -> request.headers().set(SUBPROTOCOLS, handshakeHeaders.share(offered)),
                        () -> request.headers().remove(SUBPROTOCOLS));
        request.headers().set(VERIFIED_USER, identity.userId());
        identity.expiresAt().ifPresent(exp -> request.headers().set(VERIFIED_EXPIRY, Long.toString(exp)));
        context.next();
    }

    /** The offered subprotocols without the browser's header carriers ({@code quarkus-http-upgrade#...}, the token). */
    static Optional<String> withoutCarriedHeaders(String offered) {
        if (offered == null) {
            return Optional.empty();
        }
        String kept = Arrays.stream(offered.split(","))
                .map(String::trim)
                .filter(protocol -> !protocol.isEmpty() && !protocol.startsWith(CARRIED_HEADER_PREFIX))
                .collect(Collectors.joining(", "));
        return kept.isEmpty() ? Optional.empty() : Optional.of(kept);
    }

    /** A client-sent value as it may go into a log line: bounded, without control characters. */
    static String printable(String value) {
        if (value == null) {
            return "";
        }
        String bounded = value.length() > 200 ? value.substring(0, 200) + "..." : value;
        return bounded.replaceAll("\\p{Cntrl}", "?");
    }

    private static boolean isSocketPath(String path) {
        return path != null && (path.equals("/ws") || path.startsWith("/ws/"));
    }

    private void reject(RoutingContext context, UpgradeRefusal refusal) {
        reject(context, refusal, refusal.message());
    }

    private void reject(RoutingContext context, UpgradeRefusal refusal, String message) {
        metrics.upgradeRejected(refusal);
        HttpError.endAndClose(context.request(), refusal.status(), refusal.error(), message);
    }
}
