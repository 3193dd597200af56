package io.devarno.realtime.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.devarno.realtime.auth.UserIds;
import io.devarno.realtime.history.History;
import io.devarno.realtime.history.Since;
import io.devarno.realtime.hub.StreamKind;
import io.smallrye.mutiny.Uni;

/**
 * Reading a stream's history (docs/protocol.md#protocol-v2-history-and-recovery), for a backend that renders a page and
 * hands the position to it: {@code {"epoch","offset","messages":[{"offset","data"}],"recovered"}}. Without
 * {@code since}, from the start of the current epoch; {@code limit} (default 100, at most 1000) caps the messages,
 * oldest first, so a reader pages on with the last offset it got; {@code limit=0} answers the position only.
 */
@Path("/api/v1/realtime")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final History history;

    public HistoryResource(History history) {
        this.history = history;
    }

    @GET
    @Path("/users/{userId}/history")
    public Uni<Response> userHistory(
            @PathParam("userId") String userId, @QueryParam("since") String since, @QueryParam("limit") String limit) {
        if (!UserIds.isValid(userId)) {
            return Uni.createFrom().item(Responses.invalidUserId());
        }
        return read(StreamKind.USER, userId, since, limit);
    }

    @GET
    @Path("/broadcast/history")
    public Uni<Response> broadcastHistory(@QueryParam("since") String since, @QueryParam("limit") String limit) {
        return read(StreamKind.BROADCAST, null, since, limit);
    }

    private Uni<Response> read(StreamKind stream, String userId, String sinceParam, String limitParam) {
        Since since = Since.parse(sinceParam);
        if (since == Since.MALFORMED) {
            return Uni.createFrom()
                    .item(
                            ApiError.response(
                                    400,
                                    "invalid_since",
                                    "since must be <epoch>:<offset>: an epoch of 1-64 letters, digits, '-' or '_', and an offset of 1-18 digits"));
        }
        int limit = limit(limitParam);
        if (limit < 0) {
            return Uni.createFrom()
                    .item(ApiError.response(400, "invalid_limit", "limit must be between 0 and " + MAX_LIMIT));
        }
        return history.read(stream, userId, since, limit)
                .map(page -> {
                    List<Map<String, Object>> messages =
                            new ArrayList<>(page.payloads().size());
                    long offset = page.from();
                    for (String payload : page.payloads()) {
                        Map<String, Object> message = new LinkedHashMap<>();
                        message.put("offset", offset++);
                        message.put("data", payload);
                        messages.add(message);
                    }
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("epoch", page.epoch());
                    body.put("offset", page.top());
                    body.put("messages", messages);
                    body.put("recovered", page.recovered());
                    return Response.ok(body).build();
                })
                .onFailure()
                .recoverWithItem(f -> Responses.redisUnavailable());
    }

    private static int limit(String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        if (raw.isEmpty() || raw.length() > 4) {
            return -1;
        }
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) < '0' || raw.charAt(i) > '9') {
                return -1;
            }
        }
        int limit = Integer.parseInt(raw);
        return limit <= MAX_LIMIT ? limit : -1;
    }
}
