package io.devarno.realtime.ws;

import java.time.Duration;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.hub.Client;
import io.devarno.realtime.hub.Hub;
import io.devarno.realtime.protocol.CloseCode;
import io.devarno.realtime.transport.WireFrame;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;

/**
 * One timer for the whole pod: pings each connection every {@code ping-interval}, closes the ones silent
 * for {@code pong-timeout} (1001, "pong timeout") and the ones whose token expired (4001).
 *
 * <p>Each tick's pass goes in slices a millisecond apart ({@link Sweep}): the connections that arrived in the same
 * second of a reconnect storm all fall due in the same tick, and writing thousands of pings in one task (then
 * reading thousands of pongs in one turn) would hold every other connection's deliveries behind them.
 */
@ApplicationScoped
public class Heartbeat {

    private final Hub hub;
    private final long pingIntervalNanos;
    private final long pongTimeoutNanos;
    private final long tickMillis;
    /**
     * Encoded once per run (not in a static field: the image build must not create a pooled buffer) and never
     * released: each connection's write takes and gives back its own reference.
     */
    private final WireFrame ping = WireFrame.ping();

    /**
     * Pings written or connections closed per slice, and connections looked at per slice: with slices at least a
     * millisecond apart, up to ~16,000 pings a second, 9 times what 100,000 connections need at the default 54 s.
     */
    static final int SLICE_ACTIONS = 16;

    static final int SLICE_SCANNED = 4096;

    private Vertx vertx;
    private long timer = -1;
    private volatile long sliceTimer = -1;
    /** The pass under way, if any; touched only on the timer's context. */
    private Sweep<Client> sweep;

    public Heartbeat(Hub hub, RealtimeConfig config) {
        this.hub = hub;
        this.pingIntervalNanos = config.pingInterval().toNanos();
        this.pongTimeoutNanos = config.pongTimeout().toNanos();
        Duration shortest = config.pingInterval().compareTo(config.pongTimeout()) < 0
                ? config.pingInterval()
                : config.pongTimeout();
        this.tickMillis = Math.max(50, Math.min(1000, shortest.toMillis() / 4));
    }

    void onStart(@Observes StartupEvent event, Vertx vertx) {
        this.vertx = vertx;
        timer = vertx.setPeriodic(tickMillis, id -> tick());
    }

    @PreDestroy
    void stop() {
        if (vertx != null) {
            vertx.cancelTimer(timer);
            vertx.cancelTimer(sliceTimer);
        }
    }

    void tick() {
        if (sweep == null) {
            sweep = new Sweep<>(hub.clients(), SLICE_ACTIONS, SLICE_SCANNED);
            nextSlice();
        }
    }

    private void nextSlice() {
        long now = System.nanoTime();
        long nowEpochSeconds = System.currentTimeMillis() / 1000;
        if (sweep.slice(client -> check(client, now, nowEpochSeconds))) {
            sliceTimer = vertx.setTimer(1, id -> nextSlice());
        } else {
            sweep = null;
        }
    }

    /** True when it wrote a ping or closed the connection. */
    private boolean check(Client client, long now, long nowEpochSeconds) {
        if (client.closeReason() != null) {
            return false;
        }
        if (now - client.lastActivityNanos() > pongTimeoutNanos) {
            client.close(CloseCode.PONG_TIMEOUT);
        } else if (client.tokenExpiresAt().isPresent()
                && client.tokenExpiresAt().getAsLong() <= nowEpochSeconds) {
            client.close(CloseCode.TOKEN_EXPIRED);
        } else if (now - client.lastPingNanos() >= pingIntervalNanos) {
            client.markPinged(now);
            client.enqueue(ping);
        } else {
            return false;
        }
        return true;
    }
}
