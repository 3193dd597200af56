package io.devarno.realtime.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.devarno.realtime.config.PodId;
import io.devarno.realtime.hub.Hub;

/** This pod's connections per user. */
@Path("/api/v1/realtime/connections")
@Produces(MediaType.APPLICATION_JSON)
public class ConnectionsResource {

    private final Hub hub;
    private final PodId podId;

    public ConnectionsResource(Hub hub, PodId podId) {
        this.hub = hub;
        this.podId = podId;
    }

    @GET
    public Map<String, Object> connections() {
        List<Map<String, Object>> users = new ArrayList<>();
        hub.connectionsPerUser().forEach((userId, count) -> {
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("userId", userId);
            user.put("connections", count);
            users.add(user);
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pod", podId.value());
        body.put("connections", hub.connectionCount());
        body.put("users", users);
        return body;
    }
}
