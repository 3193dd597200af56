package io.devarno.realtime.transport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.devarno.realtime.config.RealtimeConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Says at start-up, in one INFO line, which network transport Vert.x runs on (epoll or NIO, and why not epoll) and
 * which of the framework-internal optimisations are active in this build and version (docs/internals.md).
 */
@ApplicationScoped
public class TransportReport {

    private static final Logger LOG = Logger.getLogger(TransportReport.class);

    private final Vertx vertx;
    private final WebSocketTransports webSockets;
    private final RedisChannels redisChannels;
    private final RealtimeConfig config;

    public TransportReport(
            Vertx vertx, WebSocketTransports webSockets, RedisChannels redisChannels, RealtimeConfig config) {
        this.vertx = vertx;
        this.webSockets = webSockets;
        this.redisChannels = redisChannels;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        LOG.info(summary());
    }

    public String summary() {
        String transport = vertx.isNativeTransportEnabled()
                ? "epoll"
                : "NIO (epoll: "
                        + (vertx.unavailableNativeTransportCause() == null
                                ? "not requested"
                                : vertx.unavailableNativeTransportCause())
                        + ")";
        long window = config.redis().readBatchWindow().toMillis();
        String redisReads = !redisChannels.available()
                ? "not batched (the channel cannot be reached)"
                : window <= 0
                        ? "not batched (realtime.redis.read-batch-window=0)"
                        : "batched (" + window + " ms window)";
        return "Transport: " + transport
                + "; fan-out writes: "
                + (webSockets.directWrites()
                        ? "pre-encoded, straight to the channel"
                        : "websockets-next send API (degraded, see docs/internals.md)")
                + "; upgrade headers after open: " + (webSockets.releasesUpgradeHeaders() ? "released" : "kept")
                + "; Redis pub/sub reads: " + redisReads;
    }
}
