package io.devarno.realtime.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
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

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Publishing through the internal API: the body is recorded in the target's stream
 * (docs/protocol.md#protocol-v2-history-and-recovery) and delivered as-is to every connection of the target; the answer
 * gives its position.
 */
@Path("/api/v1/realtime")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class MessagesResource {

    private final Broker broker;
    private final History history;
    private final RealtimeMetrics metrics;
    private final long maxBytes;
    private final JsonFactory json;

    /** application/json and the {@code +json} types; any other body is opaque text. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    private boolean parses(String payload) {
        try (JsonParser parser = json.createParser(payload)) {
            while (parser.nextToken() != null) {
                // reads every token: a trailing second value or garbage fails too
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public MessagesResource(
            Broker broker, History history, RealtimeMetrics metrics, RealtimeConfig config, ObjectMapper json) {
        this.json = json.getFactory();
        this.broker = broker;
        this.history = history;
        this.metrics = metrics;
        this.maxBytes = config.maxMessageSize().asLongValue();
    }

    @POST
    @Path("/users/{userId}/messages")
    public Uni<Response> publishToUser(
            @PathParam("userId") String userId, @HeaderParam("Content-Type") String contentType, byte[] body) {
        if (!UserIds.isValid(userId)) {
            return Uni.createFrom().item(Responses.invalidUserId());
        }
        return publish(body, contentType, false, payload -> history.record(StreamKind.USER, userId, payload));
    }

    @POST
    @Path("/broadcast")
    public Uni<Response> broadcast(@HeaderParam("Content-Type") String contentType, byte[] body) {
        return publish(body, contentType, true, payload -> history.record(StreamKind.BROADCAST, null, payload));
    }

    private Uni<Response> publish(
            byte[] body, String contentType, boolean broadcast, Function<String, Uni<Position>> record) {
        if (body == null || body.length == 0) {
            return Uni.createFrom().item(ApiError.response(400, "empty_body", "the message body is empty"));
        }
        if (body.length > maxBytes) {
            return Uni.createFrom().item(Responses.tooLarge(maxBytes));
        }
        String payload;
        try {
            payload = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            return Uni.createFrom()
                    .item(ApiError.response(
                            400,
                            "invalid_utf8",
                            "the body is not valid UTF-8: a WebSocket text frame cannot carry it"));
        }
        if (isJson(contentType) && !parses(payload)) {
            return Uni.createFrom()
                    .item(ApiError.response(
                            400, "invalid_json", "the body is sent as application/json but is not JSON"));
        }
        if (!broker.isConnected()) {
            return Uni.createFrom().item(unavailable());
        }
        return record.apply(payload)
                .map(position -> {
                    metrics.published(broadcast);
                    Map<String, Object> accepted = new LinkedHashMap<>();
                    accepted.put("status", "accepted");
                    accepted.put("epoch", position.epoch());
                    accepted.put("offset", position.offset());
                    return Response.accepted(accepted).build();
                })
                .onFailure()
                .recoverWithItem(f -> unavailable());
    }

    private static Response unavailable() {
        return ApiError.response(
                503, "redis_unavailable", "Redis is unavailable; nothing was recorded or delivered, retry later");
    }
}
