package io.devarno.realtime.api;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.history.History;
import io.devarno.realtime.history.Position;
import io.devarno.realtime.hub.StreamKind;
import io.devarno.realtime.metrics.RealtimeMetrics;
import io.smallrye.mutiny.Uni;

/**
 * Publishing through the internal API: the body is recorded in the target's stream (contract section 10) and
 * delivered as-is to every connection of the target; the answer gives its position.
 */
@Path("/api/v1/realtime")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class MessagesResource {

    private final Broker broker;
    private final History history;
    private final RealtimeMetrics metrics;
    private final long maxBytes;

    public MessagesResource(Broker broker, History history, RealtimeMetrics metrics, RealtimeConfig config) {
        this.broker = broker;
        this.history = history;
        this.metrics = metrics;
        this.maxBytes = config.maxMessageSize().asLongValue();
    }

    @POST
    @Path("/users/{userId}/messages")
    public Uni<Response> publishToUser(@PathParam("userId") String userId, byte[] body) {
        if (!UserIds.isValid(userId)) {
            return Uni.createFrom().item(Responses.invalidUserId());
        }
        return publish(body, false, payload -> history.record(StreamKind.USER, userId, payload));
    }

    @POST
    @Path("/broadcast")
    public Uni<Response> broadcast(byte[] body) {
        return publish(body, true, payload -> history.record(StreamKind.BROADCAST, null, payload));
    }

    private Uni<Response> publish(byte[] body, boolean broadcast, Function<String, Uni<Position>> record) {
        if (body == null || body.length == 0) {
            return Uni.createFrom().item(ApiError.response(400, "empty_body", "the message body is empty"));
        }
        if (body.length > maxBytes) {
            return Uni.createFrom().item(Responses.tooLarge(maxBytes));
        }
        if (!broker.isConnected()) {
            return Uni.createFrom().item(unavailable());
        }
        return record.apply(new String(body, StandardCharsets.UTF_8))
                .map(position -> {
                    metrics.published(broadcast);
                    Map<String, Object> accepted = new LinkedHashMap<>();
                    accepted.put("status", "accepted");
                    accepted.put("epoch", position.epoch());
                    accepted.put("offset", position.offset());
                    return Response.accepted(accepted).build();
                })
                .onFailure().recoverWithItem(f -> unavailable());
    }

    private static Response unavailable() {
        return ApiError.response(503, "redis_unavailable", "Redis is unavailable; nothing was recorded or delivered, retry later");
    }
}
