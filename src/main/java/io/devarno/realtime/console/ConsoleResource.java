package io.devarno.realtime.console;

import java.time.Duration;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestStreamElementType;

import io.devarno.realtime.cluster.Broker;
import io.smallrye.mutiny.Multi;

/**
 * The console's API (guarded by {@link ConsoleFilter}): {@code GET /api/v1/realtime/console/presence-events} is a
 * Server-Sent Events stream of every cluster-wide presence event, one JSON object per event:
 * {@code {"type":"presence","userId":"u","online":true,"at":<epoch ms>}}. Every 15 s it also sends
 * {@code {"type":"heartbeat","at":<epoch ms>}} so idle proxies keep the stream open and a vanished client is noticed.
 * The pod subscribes to the presence channel only while at least one stream is open.
 */
@Path(ConsoleFilter.API)
public class ConsoleResource {

    private static final Logger LOG = Logger.getLogger(ConsoleResource.class);
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** Events buffered for a client that reads slower than they come; past that its stream ends (the page reconnects). */
    private static final int BUFFER = 1024;

    private final Broker broker;

    public ConsoleResource(Broker broker) {
        this.broker = broker;
    }

    @GET
    @Path("/presence-events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    public Multi<String> presenceEvents() {
        Multi<String> events = Multi.createFrom()
                .<String>emitter(
                        emitter -> {
                            AutoCloseable handle = broker.onPresenceEvent(emitter::emit);
                            emitter.onTermination(() -> {
                                try {
                                    handle.close();
                                } catch (Exception e) {
                                    LOG.debugf("closing a presence listener failed: %s", e.getMessage());
                                }
                            });
                        },
                        BUFFER);
        Multi<String> heartbeats = Multi.createFrom()
                .ticks()
                .every(HEARTBEAT)
                .onOverflow()
                .drop()
                .map(tick -> "{\"type\":\"heartbeat\",\"at\":" + System.currentTimeMillis() + "}");
        return Multi.createBy().merging().streams(events, heartbeats);
    }
}
