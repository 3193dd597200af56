package io.devarno.realtime.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import io.devarno.realtime.config.RealtimeConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Sends the requests handed to it within one event-loop turn to Redis together, pipelined (one pooled connection,
 * one write, one round trip), in order, up to {@value #MAX_BATCH} per batch and {@value #MAX_BATCHES_IN_FLIGHT} batches
 * at a time; what arrives meanwhile goes with the next. During a connect storm the pod's event loop has little time
 * left between handshakes; with a round trip per presence write, presence lagged the connects by up to ~13,000
 * users at 1,200 connects/s (docs/benchmarks.md).
 * <p>
 * Redis answers a batch with one failure when any request in it fails, although the others ran. Each request of a
 * failed batch is therefore sent again on its own (its {@code alone} form), so only scripts that may run twice
 * belong here: the presence scripts do (a second touch or leave changes nothing and publishes no second event).
 */
@Singleton
public class RedisBatcher {

    static final int MAX_BATCH = RealtimeConfig.Presence.WRITES_PER_BATCH;
    /** Batches sent and not answered yet; ConfigValidator keeps them below {@code quarkus.redis.max-pool-size}. */
    static final int MAX_BATCHES_IN_FLIGHT = RealtimeConfig.Presence.BATCHES_IN_FLIGHT;

    private final Redis redis;
    private final Vertx vertx;
    private final RedisDeployment deployment;
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private int batchesInFlight; // guarded by this

    public RedisBatcher(ReactiveRedisDataSource redis, Vertx vertx, RedisDeployment deployment) {
        this.redis = redis.getRedis();
        this.vertx = vertx;
        this.deployment = deployment;
    }

    /**
     * Sends {@code request} with the others of this turn; if that batch fails, {@code alone} answers for it. On a
     * Redis Cluster a batch goes to one node, so requests are grouped by the master serving {@code key}'s slot.
     */
    public Uni<Response> send(String key, Request request, Supplier<Uni<Response>> alone) {
        return Uni.createFrom().emitter(emitter -> {
            pending.add(new Pending(key, request, alone, emitter));
            if (flushScheduled.compareAndSet(false, true)) {
                vertx.runOnContext(ignored -> {
                    flushScheduled.set(false);
                    flush();
                });
            }
        });
    }

    /** Sends what is pending, while fewer than {@link #MAX_BATCHES_IN_FLIGHT} batches wait for Redis; the rest go when one is answered. */
    private void flush() {
        List<List<Pending>> ready = new ArrayList<>();
        synchronized (this) {
            while (batchesInFlight < MAX_BATCHES_IN_FLIGHT && !pending.isEmpty()) {
                List<Pending> taken = new ArrayList<>();
                for (Pending next; taken.size() < MAX_BATCH && (next = pending.poll()) != null; ) {
                    taken.add(next);
                }
                for (List<Pending> batch : byNode(taken)) {
                    batchesInFlight++;
                    ready.add(batch);
                }
            }
        }
        ready.forEach(this::send);
    }

    /** One batch per master on a Redis Cluster (as far as the last slot map tells), else the requests as they are. */
    private Collection<List<Pending>> byNode(List<Pending> taken) {
        ClusterSlots slots = deployment.isCluster() ? deployment.slots() : null;
        if (slots == null) {
            return List.of(taken);
        }
        Map<String, List<Pending>> byMaster = new LinkedHashMap<>();
        taken.forEach(p -> byMaster.computeIfAbsent(String.valueOf(slots.masterOf(p.key)), master -> new ArrayList<>())
                .add(p));
        return byMaster.values();
    }

    private void answered() {
        synchronized (this) {
            batchesInFlight--;
        }
        flush();
    }

    private void send(List<Pending> batch) {
        if (batch.size() == 1) {
            batch.get(0).sendAlone(this::answered);
            return;
        }
        List<Request> requests = new ArrayList<>(batch.size());
        batch.forEach(p -> requests.add(p.request));
        redis.batch(requests)
                .subscribe()
                .with(
                        responses -> {
                            for (int i = 0; i < batch.size(); i++) {
                                batch.get(i).emitter.complete(responses.get(i));
                            }
                            answered();
                        },
                        failure -> {
                            // The batch keeps its slot until every request has its own answer: during an outage this
                            // bounds the
                            // requests waiting for a pooled connection as the batches do.
                            AtomicInteger unanswered = new AtomicInteger(batch.size());
                            batch.forEach(p -> p.sendAlone(() -> {
                                if (unanswered.decrementAndGet() == 0) {
                                    answered();
                                }
                            }));
                        });
    }

    private record Pending(
            String key, Request request, Supplier<Uni<Response>> alone, UniEmitter<? super Response> emitter) {

        void sendAlone(Runnable whenAnswered) {
            // deferred: an alone form that throws instead of failing its Uni still answers (and frees the slot)
            Uni.createFrom()
                    .<Response>deferred(alone::get)
                    .subscribe()
                    .with(
                            response -> {
                                whenAnswered.run();
                                emitter.complete(response);
                            },
                            failure -> {
                                whenAnswered.run();
                                emitter.fail(failure);
                            });
        }
    }
}
