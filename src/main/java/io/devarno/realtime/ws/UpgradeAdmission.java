package io.devarno.realtime.ws;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.devarno.realtime.config.RealtimeConfig;
import io.devarno.realtime.metrics.RealtimeMetrics;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;

/**
 * Admission control for connect storms (docs/operations.md#reconnect-storms): counts the connections just opened whose
 * first presence write (and, for a user's first tab, the subscription of their channel) Redis has not answered
 * yet, and tells the upgrade gate to refuse new upgrades (503 with
 * {@code Retry-After}) while {@code realtime.admission.max-in-flight} of them are pending. A storm then costs the pod
 * what it can serve, and the rest comes back later instead of queueing until it times out. A write counts for at most
 * {@code realtime.redis.timeout}: a Redis that stopped answering must not close the door for good (upgrades are
 * accepted, degraded, while Redis is away; docs/operations.md#redis-faults). How fast the event loop takes new
 * connections at all is the {@code AcceptPacer}'s business.
 */
@Singleton
public class UpgradeAdmission {

    private static final long SWEEP_MILLIS = 100;

    private final int maxInFlight;
    private final long holdNanos;
    private final long retryAfterSeconds;
    private final LongSupplier clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** In the order they were opened, so their deadlines are in order too: the sweep only looks at the head. */
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();

    private Vertx vertx;
    private long timer = -1;

    @Inject
    public UpgradeAdmission(RealtimeConfig config, RealtimeMetrics metrics) {
        this(
                config.admission().maxInFlight(),
                config.redis().timeout(),
                config.admission().retryAfter(),
                System::nanoTime);
        metrics.bindUpgradesInFlight(inFlight::get);
    }

    UpgradeAdmission(int maxInFlight, Duration hold, Duration retryAfter, LongSupplier clock) {
        this.maxInFlight = maxInFlight;
        this.holdNanos = hold.toNanos();
        this.retryAfterSeconds = Math.max(1, retryAfter.toSeconds());
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event, Vertx vertx) {
        this.vertx = vertx;
        timer = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
    }

    @PreDestroy
    void stop() {
        if (vertx != null) {
            vertx.cancelTimer(timer);
        }
    }

    /** False, and the upgrade is to be refused, while {@code max-in-flight} opened connections wait for Redis. */
    public boolean admits() {
        return inFlight.get() < maxInFlight;
    }

    /** The {@code Retry-After} seconds for one refused upgrade: between the setting and twice it. */
    public long retryAfterSeconds() {
        return retryAfterSeconds + ThreadLocalRandom.current().nextLong(retryAfterSeconds + 1);
    }

    /**
     * Counts a connection just opened until Redis has answered its presence write and, for a user's first tab here,
     * confirmed the subscription of their channel ({@code subscribed}, else null), or for at most {@code redis.timeout}.
     */
    public void track(CompletionStage<?> presence, CompletionStage<?> subscribed) {
        if (isDone(subscribed)) {
            track(presence);
        } else if (isDone(presence)) {
            track(subscribed);
        } else {
            track(CompletableFuture.allOf(presence.toCompletableFuture(), subscribed.toCompletableFuture()));
        }
    }

    private static boolean isDone(CompletionStage<?> stage) {
        return stage == null || (stage instanceof CompletableFuture<?> future && future.isDone());
    }

    /** Counts a connection just opened until {@code answered} completes, or for at most {@code redis.timeout}. */
    void track(CompletionStage<?> answered) {
        if (isDone(answered)) {
            return;
        }
        Pending entry = new Pending(clock.getAsLong() + holdNanos);
        inFlight.incrementAndGet();
        pending.add(entry);
        answered.whenComplete((result, failure) -> entry.release());
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Forgets the answered entries at the head and releases the ones older than {@code redis.timeout}. */
    void sweep() {
        long now = clock.getAsLong();
        Pending head;
        while ((head = pending.peek()) != null && (head.isReleased() || now - head.deadlineNanos >= 0)) {
            pending.poll();
            head.release();
        }
    }

    private final class Pending {
        final long deadlineNanos;
        private final AtomicBoolean released = new AtomicBoolean();

        Pending(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        boolean isReleased() {
            return released.get();
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        }
    }
}
