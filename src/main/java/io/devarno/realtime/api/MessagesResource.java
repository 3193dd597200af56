package io.devarno.realtime.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.devarno.realtime.auth.UserIds;
import io.devarno.realtime.cluster.Broker;
import io.devarno.realtime.cluster.BrokerUnavailableException;
import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.metrics.RealtimeMetrics;
import io.smallrye.mutiny.Uni;

/** Publishing through the internal API: the body is delivered as-is to every connection of the target. */
@Path("/api/v1/realtime")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class MessagesResource {

    static final Map<String, String> ACCEPTED = Map.of("status", "accepted");

    private final Broker broker;
    private final RealtimeMetrics metrics;
    private final long maxBytes;

    public MessagesResource(Broker broker, RealtimeMetrics metrics, RealtimeConfig config) {
        this.broker = broker;
        this.metrics = metrics;
        this.maxBytes = config.maxMessageSize().asLongValue();
    }

    @POST
    @Path("/users/{userId}/messages")
    public Uni<Response> publishToUser(@PathParam("userId") String userId, byte[] body) {
        if (!UserIds.isValid(userId)) {
            return Uni.createFrom().item(Responses.invalidUserId());
        }
        return publish(body, false, payload -> broker.publishToUser(userId, payload));
    }

    @POST
    @Path("/broadcast")
    public Uni<Response> broadcast(byte[] body) {
        return publish(body, true, broker::broadcast);
    }

    private Uni<Response> publish(byte[] body, boolean broadcast, Function<String, Uni<Void>> send) {
        if (body == null || body.length == 0) {
            return Uni.createFrom().item(ApiError.response(400, "empty_body", "the message body is empty"));
        }
        if (body.length > maxBytes) {
            return Uni.createFrom().item(Responses.tooLarge(maxBytes));
        }
        return send.apply(new String(body, StandardCharsets.UTF_8))
                .map(ignored -> {
                    metrics.published(broadcast);
                    return Response.accepted(ACCEPTED).build();
                })
                .onFailure(BrokerUnavailableException.class)
                .recoverWithItem(f -> ApiError.response(503, "redis_unavailable",
                        "Redis is unavailable; nothing was delivered, retry later"));
    }
}
