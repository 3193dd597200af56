package io.devarno.realtime.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.devarno.realtime.auth.UserIds;
import io.devarno.realtime.presence.InvalidCursorException;
import io.devarno.realtime.presence.PresenceStore;
import io.smallrye.mutiny.Uni;

/** Cluster-wide presence queries, answered from Redis. */
@Path("/api/v1/realtime/presence")
@Produces(MediaType.APPLICATION_JSON)
public class PresenceResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final PresenceStore presence;

    public PresenceResource(PresenceStore presence) {
        this.presence = presence;
    }

    @GET
    @Path("/{userId}")
    public Uni<Response> userPresence(@PathParam("userId") String userId) {
        if (!UserIds.isValid(userId)) {
            return Uni.createFrom().item(Responses.invalidUserId());
        }
        return presence.lastSeen(userId)
                .map(lastSeen -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("userId", userId);
                    body.put("online", lastSeen.isPresent());
                    body.put("lastSeen", lastSeen.orElse(null));
                    return Response.ok(body).build();
                })
                .onFailure()
                .recoverWithItem(f -> Responses.redisUnavailable());
    }

    @GET
    public Uni<Response> onlineUsers(@QueryParam("cursor") String cursor, @QueryParam("limit") String limitParam) {
        int limit;
        try {
            limit = limitParam == null ? DEFAULT_LIMIT : Integer.parseInt(limitParam);
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            return Uni.createFrom()
                    .item(ApiError.response(400, "invalid_limit", "limit must be between 1 and " + MAX_LIMIT));
        }
        Uni<PresenceStore.Page> page;
        try {
            page = presence.online(cursor == null || cursor.isEmpty() ? null : cursor, limit);
        } catch (InvalidCursorException e) {
            return Uni.createFrom().item(ApiError.response(400, "invalid_cursor", e.getMessage()));
        }
        return page.map(p -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("users", p.users());
                    body.put("cursor", p.nextCursor());
                    return Response.ok(body).build();
                })
                .onFailure()
                .recoverWithItem(f -> Responses.redisUnavailable());
    }
}
