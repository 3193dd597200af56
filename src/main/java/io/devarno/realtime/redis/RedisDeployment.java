package io.devarno.realtime.redis;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.devarno.realtime.config.RealtimeConfig;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/**
 * How Redis is deployed: standalone, Sentinel or Cluster ({@code quarkus.redis.client-type},
 * docs/operations.md#redis-cluster). On a cluster the service also needs connections to chosen nodes (a subscriber per
 * master for sharded pub/sub), which the pooled cluster client does not give: they are opened with the options Quarkus
 * built for its own client (credentials, TLS, timeouts; see {@link RedisOptionsCapture}), pointed at one node.
 */
@Singleton
public class RedisDeployment {

    private final boolean cluster;
    private final Vertx vertx;
    private final ReactiveRedisDataSource redis;
    private final RealtimeConfig config;
    private final Map<String, Redis> nodeClients = new ConcurrentHashMap<>();
    private final RedisOptionsCapture options;
    private volatile ClusterSlots slots;

    public RedisDeployment(
            @ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType,
            Vertx vertx,
            ReactiveRedisDataSource redis,
            RedisOptionsCapture options,
            RealtimeConfig config) {
        this.cluster = "cluster".equalsIgnoreCase(clientType.trim());
        this.vertx = vertx;
        this.redis = redis;
        this.options = options;
        this.config = config;
    }

    /** True on a Redis Cluster: user channels are sharded ({@code SSUBSCRIBE}/{@code SPUBLISH}). */
    public boolean isCluster() {
        return cluster;
    }

    /** The slot map last fetched by {@link #refreshSlots}, or null before the first one answered. */
    public ClusterSlots slots() {
        return slots;
    }

    /** Asks the cluster which master serves each slot ({@code CLUSTER SLOTS}) and remembers the answer. */
    public Uni<ClusterSlots> refreshSlots() {
        return redis.execute(Command.CLUSTER, "SLOTS")
                .ifNoItem()
                .after(config.redis().timeout())
                .fail()
                .map(reply -> {
                    ClusterSlots fresh = ClusterSlots.parse(reply, seedHost());
                    slots = fresh;
                    return fresh;
                });
    }

    /**
     * A dedicated connection to one node ({@code host:port}), for pub/sub; the caller closes it. Fails after
     * {@code realtime.redis.timeout}; a connection that still arrives after that is closed at once, so a slow
     * node cannot fill the node's small pool with connections nobody holds.
     */
    public Uni<RedisConnection> connect(String node) {
        Redis client = nodeClients.computeIfAbsent(node, this::nodeClient);
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean settled = new AtomicBoolean();
            long timer = vertx.setTimer(config.redis().timeout().toMillis(), id -> {
                if (settled.compareAndSet(false, true)) {
                    emitter.fail(new TimeoutException("no connection to " + node + " within "
                            + config.redis().timeout()));
                }
            });
            client.connect()
                    .subscribe()
                    .with(
                            connection -> {
                                vertx.cancelTimer(timer);
                                if (settled.compareAndSet(false, true)) {
                                    emitter.complete(connection);
                                } else {
                                    connection.closeAndForget();
                                }
                            },
                            failure -> {
                                vertx.cancelTimer(timer);
                                if (settled.compareAndSet(false, true)) {
                                    emitter.fail(failure);
                                }
                            });
        });
    }

    private Redis nodeClient(String node) {
        RedisOptions base = options.options();
        URI seed = URI.create(base.getEndpoint());
        String userInfo = seed.getRawUserInfo() == null ? "" : seed.getRawUserInfo() + "@";
        RedisOptions forNode = base.setType(RedisClientType.STANDALONE)
                .setEndpoints(List.of(seed.getScheme() + "://" + userInfo + node))
                .setMaxPoolSize(4)
                .setMaxPoolWaiting(16);
        return Redis.createClient(vertx, forNode);
    }

    private String seedHost() {
        return URI.create(options.options().getEndpoint()).getHost();
    }

    @PreDestroy
    void close() {
        nodeClients.values().forEach(Redis::close);
        nodeClients.clear();
    }
}
