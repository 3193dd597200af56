package io.devarno.realtime.presence;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.devarno.realtime.cluster.BrokerReconnected;
import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.hub.Client;
import io.devarno.realtime.hub.Hub;
import io.devarno.realtime.metrics.RealtimeMetrics;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Keeps the {@link PresenceStore} in step with this pod's connections: touch on open, pong and app ping (at most once
 * a second per connection), leave on close, everything re-asserted after Redis comes back. A Redis failure
 * never closes a connection; it is counted and repaired later.
 */
@Singleton
public class PresenceTracker {

    private static final Logger LOG = Logger.getLogger(PresenceTracker.class);
    private static final long REFRESH_MIN_INTERVAL_NANOS = 1_000_000_000L;
    private static final long SLOW_WARNING_INTERVAL_NANOS = 60_000_000_000L;

    private final PresenceStore store;
    private final Hub hub;
    private final RealtimeMetrics metrics;
    private final RealtimeConfig config;
    private final Vertx vertx;
    private final PresenceWriteQueue writes;
    /** Set when a presence write failed; cleared when every local connection has been re-asserted. */
    private final AtomicBoolean stale = new AtomicBoolean();

    private final AtomicLong nextSlowWarningNanos = new AtomicLong(System.nanoTime());
    private long timer = -1;

    public PresenceTracker(PresenceStore store, Hub hub, RealtimeMetrics metrics, RealtimeConfig config, Vertx vertx) {
        this.store = store;
        this.hub = hub;
        this.metrics = metrics;
        this.config = config;
        this.vertx = vertx;
        this.writes = new PresenceWriteQueue(config.presence().writesInFlight());
    }

    void onStart(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.pingInterval().toMillis(), id -> {
            sweepExpired();
            if (stale.get()) {
                reassertAll();
            }
        });
    }

    @PreDestroy
    void stop() {
        vertx.cancelTimer(timer);
    }

    /** Completes when Redis has answered the connection's first presence write (or the write failed). */
    public CompletionStage<?> joined(Client client) {
        client.presenceRefreshDue(System.nanoTime(), 0);
        return touch(client);
    }

    /** A pong or an app-level ping arrived. */
    public void refresh(Client client) {
        if (client.presenceRefreshDue(System.nanoTime(), REFRESH_MIN_INTERVAL_NANOS)) {
            touch(client);
        }
    }

    public CompletionStage<?> left(Client client) {
        return client.chainPresence(() -> watched(store.leave(client.userId(), client.member())));
    }

    void onBrokerReconnected(@ObservesAsync BrokerReconnected event) {
        if (stale.get()) {
            reassertAll();
        }
    }

    /** Touches every local connection again; the write queue paces them. */
    private void reassertAll() {
        stale.set(false);
        List<CompletableFuture<?>> touches = new ArrayList<>(hub.connectionCount());
        hub.forEachClient(client -> touches.add(touch(client).toCompletableFuture()));
        CompletableFuture.allOf(touches.toArray(CompletableFuture[]::new))
                .whenComplete((ignored, failure) ->
                        LOG.infof("Presence re-asserted for %d local connections", touches.size()));
    }

    private CompletionStage<?> touch(Client client) {
        // Checked when the touch runs, after any earlier operation: a closed connection is never touched again.
        return client.chainPresence(() -> client.isClosed()
                ? CompletableFuture.completedFuture(null)
                : watched(store.touch(client.userId(), client.member())));
    }

    /**
     * Queues the write (see {@link PresenceWriteQueue}) and completes when Redis answers (or the connection
     * fails), never on a client-side timeout: a touch that timed out may still run in Redis, and the next
     * operation of the connection must not overtake it. A write still unanswered {@code realtime.redis.timeout}
     * after it was sent is counted as a presence error but not flagged for re-assertion: it is still applied
     * when Redis answers, and if it fails instead, that failure flags it. (Flagging it made every connection
     * storm that slowed Redis down end in a needless re-assertion of the whole pod.)
     */
    private CompletionStage<?> watched(Uni<?> write) {
        return writes.submit(() -> {
            CompletableFuture<?> done = write.onFailure()
                    .invoke(this::failed)
                    .onFailure()
                    .recoverWithNull()
                    .subscribeAsCompletionStage();
            long watchdog = vertx.setTimer(config.redis().timeout().toMillis(), id -> {
                if (!done.isDone()) {
                    slow();
                }
            });
            return done.whenComplete((result, failure) -> vertx.cancelTimer(watchdog));
        });
    }

    private void slow() {
        metrics.presenceError();
        long now = System.nanoTime();
        long due = nextSlowWarningNanos.get();
        if (now - due >= 0 && nextSlowWarningNanos.compareAndSet(due, now + SLOW_WARNING_INTERVAL_NANOS)) {
            LOG.warnf(
                    "Presence writes slower than %s (counted in realtime_presence_errors_total); they are still applied "
                            + "when Redis answers. Warned at most once a minute.",
                    config.redis().timeout());
        }
    }

    private void failed(Throwable failure) {
        metrics.presenceError();
        if (stale.compareAndSet(false, true)) {
            LOG.warnf(
                    "Presence update failed (%s); the connection stays open and presence is re-asserted when Redis answers",
                    failure.getMessage());
        }
    }

    private void sweepExpired() {
        store.sweepExpired().onFailure().recoverWithItem(0).subscribe().with(count -> {
            if (count > 0) {
                LOG.infof("%d users taken offline whose connections expired without a close", count);
            }
        });
    }

    /** Completes when every presence write queued for these connections is done (they never fail). */
    public Uni<Void> settled(List<Client> clients) {
        CompletableFuture<?>[] tails = clients.stream()
                .map(c -> c.presenceTail().toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return Uni.createFrom().completionStage(CompletableFuture.allOf(tails));
    }
}
